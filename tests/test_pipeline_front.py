"""The landing page's first screen (collabcomm.pipeline.front): the README's findings, each
linked to the section that establishes it, and the rerun box."""

from __future__ import annotations

from pathlib import Path

import nbformat

from collabcomm.pipeline import front
from collabcomm.pipeline.downloads import Downloads

REPO = Path(__file__).resolve().parents[1]


def test_every_finding_of_the_readme_has_its_section():
    findings = front.readme_findings((REPO / "README.md").read_text(encoding="utf-8"))
    assert [f.lead for f in findings] == list(front.FINDING_SECTIONS)
    # each named section exists in its notebook (headings as the site labels them)
    for lead, (stem, start) in front.FINDING_SECTIONS.items():
        nb = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
        headings = [ln.lstrip("#").strip() for c in nb.cells if c.cell_type == "markdown"
                    for ln in c.source.splitlines() if ln.startswith(("## ", "### "))]
        assert [h for h in headings if front._NUMBER.sub("", h).startswith(start)], lead


def test_first_sentences_end_where_the_sentence_does():
    assert front.first_sentence("A (e.g. B: 0.957, .96). C.") == "A (e.g. B: 0.957, .96)."
    assert front.first_sentence("N = 26. Then") == "N = 26."
    assert front.first_sentence("means (849.22) fail. But") == "means (849.22) fail."
    assert front.first_sentence("no full stop") == "no full stop"


def test_the_readme_findings_as_the_landing_page_lists_them():
    readme = ("### Findings at a glance\n\n- **GRIM**: the means fail. More.\n"
              "- **Text** (see [x](y.md)): is\n  wrong. Else.\n\n## Next\n- **Not**: this.\n")
    findings = front.readme_findings(readme)
    assert findings == [front.Finding("GRIM", ": ", "the means fail. More."),
                        front.Finding("Text", " (see x): ", "is wrong. Else.")]
    sections = {"06_reproducibility_audit": [(3, "06-s-2", "1. GRIM: are the means possible?")]}
    links = front.finding_links(sections)
    assert links == {"GRIM": "06-s-2"}
    assert front.headline_findings(findings, links) == (
        "- **{ref}`GRIM <06-s-2>`**: the means fail.\n- **Text** (see x): is wrong.\n")


def test_the_rerun_box_has_both_commands_and_the_downloads():
    box = front.rerun_box(Downloads(audit="downloads/audit.csv",
                                    derived_zip="downloads/d.zip"))
    assert "make reproduce\n" in box and "run --only 06 --force" in box
    assert "{download}`audit.csv <downloads/audit.csv>`" in box
    assert "{download}`data/derived as a zip <downloads/d.zip>`" in box
    assert "Download" not in front.rerun_box(Downloads())
