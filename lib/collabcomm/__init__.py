"""collabcomm: reproducible companion to two papers on collaborative community.

One module per concept; README.md (*Description of the code*) lists them all with what each
does. The names they share (school variables, item ids, model specifications) are documented in
data/README.md, *Shared interfaces*.
"""

__version__ = "0.1.0"
