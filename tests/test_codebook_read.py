"""Reading codebooks (collabcomm.codebook.read): Exhibit 1's, validation, messages, options."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import minimal_codebook

from collabcomm import codebook, published
from collabcomm.errors import CodebookError
from collabcomm.schema import FACETS, ITEM_IDS, SCALES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


def test_exhibit1_is_the_published_instrument():
    cb = codebook.exhibit1()
    assert cb.item_ids == list(ITEM_IDS)
    assert cb.scales == list(SCALES)
    assert (cb.respondent, cb.unit, cb.scale_min, cb.scale_max) == ("teacher_id", "school_id", 1, 5)
    assert (cb.min_items, cb.min_respondents, cb.missing_codes) == (4, 5, ())
    assert [cb.needed(s) for s in SCALES] == [4, 4, 4, 4]
    assert [cb.n_options(s) for s in SCALES] == [5, 5, 5, 5]
    assert cb.scale_items("collaborative") == [f"collaborative_{f}" for f in FACETS]
    assert cb.published_alpha("collaborative") == float(published.alphas()["collaborative"])
    assert cb.label("traditional") == "Traditionalistic"
    assert not any(i.reverse for i in cb.items)
    bank = published.items()
    assert [i.text for i in cb.items] == list(bank["text"])
    assert codebook.is_exhibit1(cb)


@pytest.mark.parametrize("changes, message", [
    ({"respondnt": "r"}, "unknown key(s) 'respondnt' (did you mean 'respondent'?)"),
    ({"unit": "r"}, "unit: must differ from the respondent column 'r'"),
    ({"response_scale": {"min": 5, "max": 1}}, "response_scale: min (5) must be below max (1)"),
    ({"response_scale": [1, 5]}, "response_scale: must be {min: <integer>, max: <integer>}"),
    ({"response_scale": {"min": 1.5, "max": 5}}, "response_scale.min: must be an integer"),
    ({"missing_codes": [3]}, "missing_codes: code(s) [3] lie inside the response scale 1-5 of "
                             "item 'a1'"),
    ({"missing_codes": -9}, "missing_codes: must be a list of integers"),
    ({"min_items": 3}, "min_items: 3 is more than the 2 item(s) of scale 'a'"),
    ({"min_items": 0}, "min_items: a count must be at least 1"),
    ({"min_items": 1.5}, "min_items: a fraction must lie in (0, 1], not 1.5"),
    ({"min_items": "all"}, "min_items: must be a count"),
    ({"min_respondents": 0}, "min_respondents: must be at least 1"),
    ({"min_respondents": True}, "min_respondents: must be an integer"),
    ({"items": []}, "items: must be a non-empty list"),
    ({"items": ["a1"]}, "items[0]: must be a mapping"),
    ({"items": [{"id": "a1"}]}, "items[0] ('a1'): key 'scale' is missing"),
    ({"items": [{"id": "a1", "scale": "a", "revers": True}]},
     "items[0] ('a1'): unknown key(s) 'revers' (did you mean 'reverse'?)"),
    ({"items": [{"id": "a1", "scale": "a", "reverse": "yes"}]},
     "items[0] ('a1').reverse: must be true or false, not 'yes'"),
    ({"items": [{"id": "a1", "scale": "a"}, {"id": "a1", "scale": "b"}]},
     "items[1]: id 'a1' repeats items[0]"),
    ({"items": [{"id": "u", "scale": "a"}]}, "items[0]: id 'u' is also the unit column"),
    ({"items": [{"id": "a1", "scale": "a"},
                {"id": "a2", "scale": "a", "response_scale": {"min": 0, "max": 4}}]},
     "scale 'a': its items have different response scales [(0, 4), (1, 5)]"),
    ({"scales": {"c": {"label": "C"}}}, "scales.c: no item belongs to scale 'c'"),
    ({"scales": {"a": {"alpha": 0.7}}}, "scales.a: unknown key(s) 'alpha'"),
    ({"scales": {"a": {"published_alpha": 7}}}, "scales.a.published_alpha: must be a number up "
                                                "to 1"),
    ({"synthetic": "yes"}, "synthetic: must be true or false"),
])
def test_bad_codebooks_get_one_clear_message(changes, message):
    with pytest.raises(CodebookError) as info:
        codebook.from_mapping(minimal_codebook(**changes), "my_codebook.yaml")
    assert str(info.value).startswith("my_codebook.yaml: ")
    assert message in str(info.value)


def test_required_keys_and_a_non_mapping():
    raw = minimal_codebook()
    del raw["unit"], raw["items"]
    with pytest.raises(CodebookError, match=r"required key\(s\) \['unit', 'items'\] missing"):
        codebook.from_mapping(raw, "x.yaml")
    with pytest.raises(CodebookError, match="x.yaml: a codebook must be a mapping"):
        codebook.from_mapping(["a"], "x.yaml")


@pytest.mark.parametrize("content, message", [
    (b"respondent: r\nunit: [\n", "not valid YAML at line 3, column 1: expected the node "
                                    "content, but found '<stream end>'"),
    (b"respondent: r\nrespondent: s\n", "not valid YAML at line 2, column 1: key 'respondent' "
                                        "appears twice in one mapping"),
    (b"\xff\xfe r", "not UTF-8 text"),
    (b"", "a codebook must be a mapping"),
])
def test_unreadable_codebook_files(tmp_path, content, message):
    path = tmp_path / "cb.yaml"
    path.write_bytes(content)
    with pytest.raises(CodebookError) as info:
        codebook.load_codebook(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)
    with pytest.raises(CodebookError, match="codebook file not found"):
        codebook.load_codebook(tmp_path / "absent.yaml")


def test_with_options_replaces_and_checks_again():
    cb = codebook.exhibit1()
    assert codebook.with_options(cb) is cb
    assert codebook.with_options(cb, scale_min=None) is cb
    seven = codebook.with_options(cb, scale_max=7, min_items=0.8, min_respondents=3)
    assert (seven.scale_max, seven.n_options("traditional"), seven.needed("traditional"),
            seven.min_respondents, seven.source) == (7, 7, 4, 3, cb.source)
    with pytest.raises(CodebookError, match="unknown option"):
        codebook.with_options(cb, scale=3)
    with pytest.raises(CodebookError, match="min_items: 6 is more than the 5 item"):
        codebook.with_options(cb, min_items=6)


@pytest.mark.parametrize("name", ["lq2002_codebook.yaml", "hospital_codebook.yaml"])
def test_the_example_codebooks_load(name):
    cb = codebook.load_codebook(EXAMPLES / name)
    assert len(cb.items) >= 12 and len(cb.scales) >= 3
