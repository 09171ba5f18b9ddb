"""Writing codebooks (collabcomm.codebook.write): YAML that reads back unchanged."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from conftest import minimal_codebook

from collabcomm import codebook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


def test_yaml_round_trip_gives_the_same_codebook(tmp_path):
    cb = codebook.exhibit1()
    text = codebook.to_yaml(cb, header="a comment\nsecond line")
    assert text.startswith("# a comment\n# second line\nname: ")
    path = tmp_path / "exhibit1.yaml"
    path.write_text(text, encoding="utf-8")
    back = codebook.load_codebook(path)
    assert dataclasses.replace(back, source=cb.source) == cb
    assert not codebook.is_exhibit1(back)  # a file is a file, even with the same content
    assert codebook.to_yaml(back, header="a comment\nsecond line") == text


def test_the_derived_template_is_exhibit1():
    # written by notebook 02; a template to copy, generated, never typed
    path = ROOT / "data" / "derived" / "instrument_codebook.yaml"
    back = codebook.load_codebook(path)
    assert dataclasses.replace(back, source=codebook.EXHIBIT1_SOURCE) == codebook.exhibit1()


def test_yaml_layout_is_fixed():
    cb = codebook.from_mapping(minimal_codebook(items=[
        {"id": "a1", "scale": "a", "text": 'say "yes": \u00e9'},
        {"id": "b1", "scale": "b", "reverse": True, "response_scale": {"min": 0, "max": 4}}],
        min_items=0.5, synthetic=True), "x.yaml")
    assert codebook.to_yaml(cb) == (
        "synthetic: true\nrespondent: \"r\"\nunit: \"u\"\nresponse_scale: {min: 1, max: 5}\n"
        "missing_codes: []\nmin_items: 0.5\nmin_respondents: 5\n"
            "reliability_missing: \"pairwise\"\nitems:\n"
        '  - {id: "a1", scale: "a", reverse: false, text: "say \\"yes\\": \u00e9"}\n'
        '  - {id: "b1", scale: "b", reverse: true, response_scale: {min: 0, max: 4}}\n')
