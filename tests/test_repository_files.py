"""The repository's front door: LICENSE, CHANGELOG.md and the README's first screen and
Licences section (CITATION.cff: test_pipeline_cite.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from collabcomm import __version__

REPO = Path(__file__).resolve().parents[1]


def _readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_the_licence_file_is_the_mit_licence_pyproject_declares():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["license"] == "MIT"
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 collabcomm contributors\n")
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_the_readme_says_what_each_licence_covers():
    text = _readme()
    section = text[text.index("### Licences\n"):text.index("## Computational requirements")]
    for needle in ("MIT", "[`LICENSE`](LICENSE)", "data/published", "lq2002_items.csv",
                   "apipop.csv", "GPL", "data/examples/README.md", "reveal.js", "KaTeX",
                   "vendor/README.md"):
        assert needle in section, needle


def test_the_readme_shows_both_commands_in_its_first_40_lines():
    first = _readme().splitlines()[:40]
    assert any(ln.startswith("make reproduce ") for ln in first)
    assert any(ln.startswith("make test ") for ln in first)
    screen = "\n".join(first)
    assert "### Quick start" in screen and "min" in screen  # what they take
    for link in ("(#the-companion-website)", "(#findings-at-a-glance)", "(CITATION.cff)"):
        assert link in screen, link
    # the AEA order follows
    heads = re.findall(r"^## (.+)$", _readme(), re.M)
    assert heads == ["Overview", "Data availability and provenance", "Computational requirements",
                     "Description of the code", "Instructions", "List of exhibits and figures",
                     "References"]


def test_the_readme_attributes_no_author_to_paper_001():
    text = _readme()
    refs = text[text.index("## References"):]
    item = next(b for b in refs.split("\n- ") if b.startswith("Paper 001"))
    assert "Adler" not in item and "Heckscher" not in item
    assert "cited by title only" in item and "descriptive" in item


def test_the_changelog_keeps_a_changelog_with_the_current_version():
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n") and "keepachangelog.com" in text
    versions = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert versions[0] == ("Unreleased", "")
    assert (__version__, "2026-11-25") in versions
    allowed = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}
    kinds = set(re.findall(r"^### (.+)$", text, re.M))
    assert kinds and kinds <= allowed
