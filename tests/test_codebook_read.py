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
    ({"missing_codes": -9}, "missing_codes: a list of integers is expected (such as [-9], or "
                            "[] for none), not the single value -9"),
    # a scalar 0 (or false) once read as "no missing codes": refused like any scalar
    ({"missing_codes": 0}, "missing_codes: a list of integers is expected (such as [-9], or "
                           "[] for none), not the single value 0"),
    ({"missing_codes": False}, "missing_codes: a list of integers is expected"),
    ({"missing_codes": ""}, "missing_codes: a list of integers is expected"),
    ({"missing_codes": "-9, 99"}, "missing_codes: a list of integers is expected"),
    ({"missing_codes": {"-9": "refused"}}, "missing_codes: a list of integers is expected"),
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


# --- reserved output names: a codebook name may not be a second column of an output table ----

def _roles(raw: dict, role: str, name: str) -> dict:
    """``raw`` with the respondent, the unit, or scale ``a`` renamed to ``name``."""
    if role in ("respondent", "unit"):
        return {**raw, role: name}
    return {**raw, "items": [{**i, "scale": name if i["scale"] == "a" else i["scale"]}
                             for i in raw["items"]]}


def _all_clashes():
    """Every way a codebook can name a column twice: each role (respondent, unit, scale a)
    given each column name the companion writes or the codebook's other names produce."""
    fixed = {"n_respondents": ("unit", "scale"), "scale": ("unit",), "rwg_j": ("unit",),
             "rwg_star_j": ("unit",), "n_items_b": ("respondent", "unit", "scale"),
             "r": ("scale",), "u": ("scale",), "b": ("respondent", "unit")}  # r = u: checked above
    return [(role, name) for name, roles in fixed.items() for role in roles]


@pytest.mark.parametrize("role, name", _all_clashes())
def test_a_name_that_would_be_written_twice_is_refused(role, name):
    raw = minimal_codebook()
    key = {"respondent": "respondent", "unit": "unit"}.get(role, "items[0] ('a1').scale")
    if name in ("b", "n_items_b"):
        key = "items[2] ('b1').scale"  # the later column is scale b's
    with pytest.raises(CodebookError) as info:
        codebook.from_mapping(_roles(raw, role, name), "cb.yaml")
    message = str(info.value)
    assert message.startswith(f"cb.yaml: {key}: '{name}' would name two columns of the "), message
    assert message.endswith("; rename it") and "\n" not in message


def test_a_scale_named_after_another_scales_count_column_is_refused():
    raw = minimal_codebook(items=[{"id": "a1", "scale": "n_items_b"}, {"id": "b1", "scale": "b"}])
    with pytest.raises(CodebookError, match=r"^cb.yaml: items\[1\] \('b1'\).scale: 'n_items_b' "
                                            r"would name two columns of the teachers table, "
                                            r"the answered-item counts of scale 'b' and the "
                                            r"scores of scale 'n_items_b'; rename it$"):
        codebook.from_mapping(raw, "cb.yaml")


def test_every_output_column_is_covered_by_output_columns():
    """output_columns lists exactly the columns analyse writes, so the check sees them all."""
    import pandas as pd

    from collabcomm import survey

    cb = codebook.from_mapping(minimal_codebook(min_respondents=1), "cb.yaml")
    answers = pd.DataFrame({"r": [1, 2, 3, 4], "u": ["x", "x", "y", "y"],
                            "a1": [1, 2, 4, 5], "a2": [2, 2, 5, 4],
                            "b1": [3, 3, 1, 2], "b2": [4, 3, 1, 1]})
    tables = survey.analyse(answers, cb)
    listed = codebook.read.output_columns("r", "u", ["a", "b"])
    for table, columns in listed.items():
        assert list(tables[table].columns) == [c for c, _, _ in columns], table
    for table in set(tables) - set(listed):  # the others have fixed columns
        assert not {"r", "u", "a", "b"} & set(tables[table].columns), table


def test_names_close_to_a_reserved_column_are_kept_with_their_values():
    """Only an exact clash is refused; a scale named rwg_j (a column of the agreement table,
    where scale names are values) scores as any other scale."""
    import pandas as pd

    from collabcomm import survey

    answers = pd.DataFrame({"r": [1, 2, 3, 4], "u": ["x", "x", "y", "y"],
                            "a1": [1, 2, 4, 5], "a2": [2, 2, 5, 4],
                            "b1": [3, 3, 1, 2], "b2": [4, 3, 1, 1]})
    plain = survey.analyse(answers, codebook.from_mapping(minimal_codebook(min_respondents=1),
                                                          "cb.yaml"))
    renamed = codebook.from_mapping(_roles(minimal_codebook(min_respondents=1), "scale", "rwg_j"),
                                    "cb.yaml")
    got = survey.analyse(answers, renamed)
    assert list(got["teachers"].columns) == ["r", "u", "rwg_j", "n_items_rwg_j", "b", "n_items_b"]
    assert got["teachers"]["rwg_j"].tolist() == plain["teachers"]["a"].tolist()
    assert got["teachers"]["r"].tolist() == [1, 2, 3, 4]
    assert got["schools"]["rwg_j"].tolist() == plain["schools"]["a"].tolist()
    assert set(got["agreement"]["scale"]) == {"rwg_j", "b"}


def test_missing_codes_zero_is_a_code_in_a_list_and_none_only_when_empty():
    """0 as a code must be written [0]; an empty key or [] means no codes."""
    cb = codebook.from_mapping(minimal_codebook(missing_codes=[0]), "cb.yaml")
    assert cb.missing_codes == (0,)
    for empty in (None, []):
        assert codebook.from_mapping(minimal_codebook(missing_codes=empty), "cb.yaml"
                                     ).missing_codes == ()
    with pytest.raises(CodebookError, match="missing_codes: a list of integers is expected"):
        codebook.with_options(cb, missing_codes=0)


def test_a_scalar_missing_code_in_a_codebook_file_stops_score(tmp_path):
    """Through the command: exit 2, one line naming the file and the key, nothing written;
    with [0] the zeros are read as missing (the scores show it)."""
    import subprocess
    import sys

    survey = tmp_path / "s.csv"
    survey.write_text("r,u,a1,a2,b1,b2\n1,x,1,0,2,2\n2,x,5,5,0,4\n", encoding="utf-8")
    cb = tmp_path / "cb.yaml"
    text = ("respondent: r\nunit: u\nresponse_scale: {min: 1, max: 5}\nmin_items: 1\n"
            "min_respondents: 1\nitems:\n  - {id: a1, scale: a}\n  - {id: a2, scale: a}\n"
            "  - {id: b1, scale: b}\n  - {id: b2, scale: b}\n")
    cb.write_text(text + "missing_codes: 0\n", encoding="utf-8")
    out = tmp_path / "out" / "scores.csv"
    cmd = [sys.executable, "-m", "collabcomm", "score", str(survey), "--codebook", str(cb),
           "--out", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: {cb}: missing_codes: a list of integers is expected (such as [-9], or [] for "
        "none), not the single value 0"]
    assert not out.parent.exists()
    cb.write_text(text + "missing_codes: [0]\n", encoding="utf-8")
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    import pandas as pd

    scores = pd.read_csv(out)
    assert scores["a"].tolist() == [0.0, 100.0]  # 0 is missing: a1 alone, rescaled to 0-100
    assert scores["n_items_a"].tolist() == [1, 2]
    assert scores["b"].tolist() == [25.0, 75.0]


def test_score_refuses_a_scale_named_like_the_respondent_column(tmp_path):
    """The hospital example with its traditional scale renamed staff_id (its respondent
    column): once the respondent ids were silently replaced by scores, exit 0."""
    import subprocess
    import sys

    cb = tmp_path / "cb.yaml"
    cb.write_text((EXAMPLES / "hospital_codebook.yaml").read_text(encoding="utf-8")
                  .replace("scale: traditional,", "scale: staff_id,"), encoding="utf-8")
    out = tmp_path / "out" / "scores.csv"
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "score",
                           str(EXAMPLES / "hospital_survey_synthetic.csv"), "--codebook", str(cb),
                           "--out", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: {cb}: items[0] ('traditional_policies').scale: 'staff_id' would name two "
        "columns of the teachers table, the scores of scale 'staff_id' and the respondent ids; "
        "rename it"]
    assert not out.parent.exists()
