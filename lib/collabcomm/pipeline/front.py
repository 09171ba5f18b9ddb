"""The landing page's first screen: the findings as the README states them, and how to rerun.

The README's *Findings at a glance* is the one statement of the headline findings; the website
shows them from there (:func:`readme_findings`), each as its bold lead and its first sentence
(:func:`first_sentence`), the lead linking to the notebook section that establishes it
(:data:`FINDING_SECTIONS`, :func:`finding_links`). :func:`rerun_box` says how to rerun
everything (``make reproduce``) or one notebook, and links the downloads a reader wants first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .cite import cite_box, load_citation
from .downloads import Downloads, download_link
from .provenance import checkout_file

__all__ = ["Finding", "FINDING_SECTIONS", "readme_findings", "first_sentence",
           "finding_links", "headline_findings", "rerun_box", "front_screen"]

FINDINGS_HEADING = "### Findings at a glance"

FINDING_SECTIONS: dict[str, tuple[str, str]] = {
    "Exhibits 2 and 3 hold together": ("03_school_data", "An exact-moment draw"),
    "GRIM": ("06_reproducibility_audit", "GRIM:"),
    "Exhibit 4 does not follow from Exhibits 2 and 3": ("06_reproducibility_audit",
                                                        "Exhibit 4 from Exhibits 2 and 3"),
    "Exhibit 4 against itself": ("06_reproducibility_audit", "Exhibit 4 on its own"),
    "GRIMMER and SPRITE": ("06_reproducibility_audit", "GRIMMER"),
    "Rounding excuses little": ("06_reproducibility_audit", "The excusable delta"),
    "Innocent explanations, tested": ("06_reproducibility_audit", "Innocent explanations"),
    "Exhibit 5": ("06_reproducibility_audit", "Exhibit 5 against"),
    "Text": ("06_reproducibility_audit", "The text against the exhibits"),
}
"""Each finding's bold lead in the README -> (notebook, start of the heading of the section
that establishes it, without its number)."""

_BULLET = re.compile(r"^- \*\*(?P<lead>[^*]+)\*\*(?P<rest>.*)$")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
# a full stop that ends a sentence: after a word or a bracket (not "e.g.", "i.e.", a decimal),
# before white space and a capital, or at the end
_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<=[\w)\]*`])\.(?=\s+[A-Z(]|\s*$)")
_NUMBER = re.compile(r"^\d+\.\s+")


@dataclass(frozen=True)
class Finding:
    """One bullet of the README's *Findings at a glance*."""

    lead: str   # the bold words that open it
    joint: str  # what comes between the lead and the text (": ", " (notebook 06, ...): ", " ")
    text: str   # the rest of the bullet, on one line


def readme_findings(readme: str) -> list[Finding]:
    r"""The bullets of the README's *Findings at a glance* section, in order (continuation
    lines joined; Markdown links reduced to their text, since the README's relative links do
    not resolve on the website).

    Examples
    --------
    >>> readme_findings("### Findings at a glance\n\nIntro.\n\n- **A**: one. Two\n  three.\n"
    ...                 "- **B** is short.\n\nAfter.\n## Next\n")
    [Finding(lead='A', joint=': ', text='one. Two three.'), Finding(lead='B', joint=' ', text='is short.')]
    """
    lines = readme.splitlines()
    try:
        start = lines.index(FINDINGS_HEADING) + 1
    except ValueError:
        return []
    bullets: list[str] = []
    for line in lines[start:]:
        if line.startswith("#"):
            break
        if line.startswith("- "):
            bullets.append(line)
        elif bullets and line.startswith("  ") and line.strip():
            bullets[-1] += " " + line.strip()
        elif bullets and not line.strip():
            bullets.append("")  # a blank line ends the bullet
    out = []
    for bullet in filter(None, bullets):
        m = _BULLET.match(_LINK.sub(r"\1", " ".join(bullet.split())))
        if not m:
            continue
        rest = m.group("rest")
        text = re.sub(r"^(\s*\([^)]*\))?\s*:?\s*", "", rest)
        out.append(Finding(m.group("lead"), rest[: len(rest) - len(text)], text))
    return out


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to the first full stop that ends one (not the dot of
    ``e.g.``, ``i.e.`` or a decimal number).

    Examples
    --------
    >>> first_sentence("most lie outside (e.g. Model 5: 0.957 and .96). Matching needs more.")
    'most lie outside (e.g. Model 5: 0.957 and .96).'
    """
    m = _END.search(text)
    return text[: m.end()] if m else text


def finding_links(sections: dict[str, list[tuple[int, str, str]]]) -> dict[str, str]:
    """Each lead of :data:`FINDING_SECTIONS` -> the label of its section, for the notebooks in
    ``sections`` (stem -> the sections :func:`collabcomm.pipeline.site.prepare_notebook`
    returns); a lead whose notebook or section is missing is left out."""
    out = {}
    for lead, (stem, start) in FINDING_SECTIONS.items():
        for _, label, heading in sections.get(stem, []):
            if _NUMBER.sub("", heading).startswith(start):
                out[lead] = label
                break
    return out


def headline_findings(findings: list[Finding], links: dict[str, str]) -> str:
    """The findings as a Markdown list: each bold lead (linked to its section when ``links``
    has it), then its first sentence."""
    items = []
    for f in findings:
        lead = f"{{ref}}`{f.lead} <{links[f.lead]}>`" if f.lead in links else f.lead
        items.append(f"- **{lead}**{f.joint}{first_sentence(f.text)}")
    return "\n".join(items) + "\n"


def rerun_box(downloads: Downloads) -> str:
    """The first screen's "Rerun" box (MyST): ``make reproduce`` for everything, ``--only``
    for one notebook, and the downloads a reader wants first (``audit.csv``, the zip of
    ``data/derived``)."""
    body = ["::::{admonition} Rerun it", ":class: rerun", "",
            "Everything, from the repository's root (`.venv` is created from the lock; "
            "`data/derived/` and `figures/` are rewritten), then this site and the tests:", "",
            "```bash",
            "make reproduce",
            "make html",
            "make test",
            "```", "",
            "One notebook (here 06; `-p name=value` sets a parameter):", "",
            "```bash",
            ".venv/bin/python -m collabcomm run --only 06 --force",
            "```", ""]
    links = []
    if downloads.audit:
        links.append(download_link(downloads.audit) + " (every checked number)")
    if downloads.derived_zip:
        links.append(download_link(downloads.derived_zip, "data/derived as a zip")
                     + " (every table, with its codebook)")
    if links:
        body += ["Download: " + "; ".join(links) + ".", ""]
    return "\n".join(body + ["::::", ""])


def front_screen(root: Path, prepared: dict, downloads: Downloads, citation: Path | None,
                 build: str) -> dict[str, str]:
    """The landing page's first screen: the README's findings linked to their sections
    (:mod:`~collabcomm.pipeline.front`), the rerun box, and the Cite box from CITATION.cff."""
    readme = checkout_file(root, "README.md")
    findings = readme_findings(readme.read_text(encoding="utf-8")) if readme else []
    links = finding_links({stem: sections for stem, (_, sections, _) in prepared.items()})
    cite = ""
    if citation is not None:
        cite = cite_box(load_citation(citation), build=build,
                        download=download_link(downloads.citation) if downloads.citation
                        else None)
    return {"headline": headline_findings(findings, links) if findings else "",
            "rerun": rerun_box(downloads), "cite": cite}
