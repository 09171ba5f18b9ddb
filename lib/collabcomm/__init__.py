"""collabcomm: reproducible companion to two papers on collaborative community.

Modules (one per concept): ``paths`` · ``published`` · ``params`` · ``outputs`` ·
``pipeline`` · ``errors`` · ``bench``; further modules arrive with the notebooks that use them
(see DESIGN.md).
"""

__version__ = "0.1.0"
