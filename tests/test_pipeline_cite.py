"""CITATION.cff and the website's Cite box (collabcomm.pipeline.cite): the file is valid
Citation File Format 1.2.0 (checked against the format's own JSON schema, vendored in
tests/reference/cff-1.2.0/), agrees with pyproject.toml and the papers' texts, invents no
author, and the box says what the file says."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from seed_exhibits import seeds_dir

from collabcomm.errors import RenderError
from collabcomm.pipeline import cite

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "tests/reference/cff-1.2.0/schema.json"
AUTHOR = "collabcomm contributors"


@pytest.fixture(scope="module")
def cff() -> dict:
    return cite.load_citation(REPO / "CITATION.cff")


def test_the_citation_file_is_valid_cff_1_2_0(cff):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    errors = [f"{list(e.path)}: {e.message}"
              for e in jsonschema.Draft7Validator(schema).iter_errors(cff)]
    assert errors == []
    assert cff["cff-version"] == "1.2.0"


def test_the_schema_check_catches_a_broken_file(cff):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    broken = {**cff, "authors": [{"nmae": "typo"}], "references": [{"title": "no type"}]}
    assert len(list(jsonschema.Draft7Validator(schema).iter_errors(broken))) >= 2


def test_the_citation_agrees_with_pyproject_and_names_an_entity_author(cff):
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert cff["version"] == meta["version"] and cff["license"] == meta["license"] == "MIT"
    assert cff["authors"] == [{"name": AUTHOR}]
    text = (REPO / "CITATION.cff").read_text(encoding="utf-8").lower()
    assert "the collabcomm companion" not in text and "todo" not in text


def _titles(cff) -> dict[str, dict]:
    return {r["title"]: r for r in cff["references"]}


def test_the_papers_are_cited_by_their_titles_and_only_known_authors(cff):
    refs = _titles(cff)
    draft = refs["An organization design for collaborative purpose"]
    published = refs["Collaboration as an Organization Design for Shared Purpose"]
    unknown = refs["collaborative community among professionals"]
    adler_heckscher = [{"family-names": "Adler", "given-names": "Paul S."},
                       {"family-names": "Heckscher", "given-names": "Charles"}]
    assert draft["authors"] == adler_heckscher and draft["year"] == 2016
    assert "COLLOBARATIVE" in draft["notes"]  # the heading's misspelling is noted
    assert published["authors"] == adler_heckscher
    assert (published["journal"], published["volume"], published["start"], published["end"],
            published["year"], published["doi"]) == (
        "Research in the Sociology of Organizations", 57, 81, 111, 2018,
        "10.1108/S0733-558X20180000057004")
    assert unknown["authors"] == [{"name": "anonymous"}]  # no author is invented
    assert "descriptive title" in unknown["notes"]
    assert len(refs) == 3


def test_the_titles_are_those_of_the_texts(cff):
    seeds = seeds_dir()
    if seeds is None:
        pytest.skip("the papers' texts are not here (set COLLABCOMM_SEEDS)")
    refs = _titles(cff)
    text000 = " ".join(next(seeds.glob("000_*.txt")).read_text(encoding="utf-8").split())
    text001 = " ".join(next(seeds.glob("001_*.txt")).read_text(encoding="utf-8").split())
    # paper 000's heading, misspelt in the text, is the draft's title spelled correctly
    assert "AN ORGANIZATION DESIGN FOR COLLOBARATIVE PURPOSE" in text000
    assert "An organization design for collaborative purpose" in refs
    # paper 001 has no title line: its title is its conclusion's heading
    assert "Conclusion: collaborative community among professionals" in text001
    assert not text001.startswith("collaborative community among professionals")


def test_the_cite_box_says_what_the_file_says(cff):
    box = cite.cite_box(cff, build="collabcomm 9.9.9, commit 0123456789ab",
                        download="{download}`CITATION.cff <downloads/CITATION.cff>`")
    assert box.startswith("::::{admonition} Cite\n") and box.rstrip().endswith("::::")
    assert ("collabcomm contributors (n.d.). *Collaborative community: a reproducible "
            "companion* (collabcomm 9.9.9, commit 0123456789ab) [Computer software]. "
            "Licence: MIT.") in box
    assert ("- Adler, P. S., & Heckscher, C. (2016). *An organization design for collaborative "
            "purpose* [Unpublished manuscript].") in box
    assert ("- Adler, P. S., & Heckscher, C. (2018). Collaboration as an Organization Design "
            "for Shared Purpose. *Research in the Sociology of Organizations*, *57*, 81–111. "
            "[https://doi.org/10.1108/S0733-558X20180000057004]"
            "(https://doi.org/10.1108/S0733-558X20180000057004)") in box
    line001 = next(ln for ln in box.splitlines() if "among professionals* (" in ln)
    assert line001 == ("- *collaborative community among professionals* (n.d.) "
                       "[Unpublished manuscript; no author named].")
    assert "{download}`CITATION.cff <downloads/CITATION.cff>`" in box


def test_citation_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "CITATION.cff"
    bad.write_text(yaml.safe_dump({"cff-version": "1.2.0", "title": "T"}))
    with pytest.raises(RenderError, match=r"CITATION\.cff: no authors"):
        cite.load_citation(bad)
    with pytest.raises(RenderError, match="citation file not found"):
        cite.load_citation(tmp_path / "missing.cff")
    assert cite.citation_file(tmp_path) == bad
    assert cite.citation_file(tmp_path / "elsewhere") == REPO / "CITATION.cff"
