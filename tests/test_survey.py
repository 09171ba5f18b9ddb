"""The score command and survey.analyse: outputs, suppression, failing safely."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from collabcomm import codebook, instrument, survey
from collabcomm.errors import SurveyFileError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "example_survey.csv"
CORPUS = Path(__file__).parent / "data" / "bad_surveys"


def _score(*args):
    return subprocess.run([sys.executable, "-m", "collabcomm", "score", *map(str, args)],
                          capture_output=True, text=True)


def test_score_command_on_the_example(tmp_path):
    out = tmp_path / "scores.csv"
    proc = _score(EXAMPLE, "--out", out)
    assert proc.returncode == 0, proc.stderr
    names = survey.output_names(out)
    assert all(p.is_file() for p in names.values())
    schools = pd.read_csv(names["schools"])
    assert list(schools["school_id"]) == ["EXAMPLE-A", "EXAMPLE-B"]  # C has 3 < 5 respondents
    assert list(pd.read_csv(names["suppressed"])["school_id"]) == ["EXAMPLE-C"]
    agreement = pd.read_csv(names["agreement"])
    assert "EXAMPLE-C" not in set(agreement["school_id"])
    for key in ("schools", "reliability", "items", "icc", "agreement", "suppressed"):
        assert "EXAMPLE-C" not in names[key].read_text() or key == "suppressed"
    rel = pd.read_csv(names["reliability"])
    assert list(rel["scale"]) == ["traditional", "bureaucratic", "collaborative", "fragmented"]


def test_min_respondents_option(tmp_path):
    out = tmp_path / "s.csv"
    assert _score(EXAMPLE, "--out", out, "--min-respondents", "3").returncode == 0
    assert "EXAMPLE-C" in set(pd.read_csv(survey.output_names(out)["schools"])["school_id"])


# The command line's main() on each file in turn, in one interpreter (starting one per file
# took 10 s): exit code and everything written to stderr, as `python -m collabcomm` gives them.
EACH_FILE = """
import contextlib, io, json, sys
from collabcomm.pipeline.cli import main
out, results = sys.argv[1], []
for bad in sys.argv[2:]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["score", bad, "--out", out])
    results.append((bad, code, err.getvalue()))
print(json.dumps(results))
"""


def test_bad_files_exit_2_with_one_message_and_touch_nothing(tmp_path):
    import json

    out = tmp_path / "scores.csv"
    assert _score(EXAMPLE, "--out", out).returncode == 0
    before = {p: p.read_bytes() for p in tmp_path.iterdir()}
    bads = [str(b) for b in sorted(CORPUS.glob("*.csv"))
            if b.name not in ("expected.csv", "too_many_rows.csv", "scale_bounds_reversed.csv")]
    assert len(bads) == 33
    proc = subprocess.run([sys.executable, "-c", EACH_FILE, str(out), *bads],
                          capture_output=True, text=True, check=True)
    for bad, code, stderr in json.loads(proc.stdout):
        assert code == 2, bad
        lines = [x for x in stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {bad}"), (bad, stderr)
    assert proc.stderr == ""
    assert {p: p.read_bytes() for p in tmp_path.iterdir()} == before
    # and one of them through the real command, as a user runs it
    proc = _score(Path(bads[0]), "--out", out)
    assert proc.returncode == 2 and proc.stderr.startswith(f"error: {bads[0]}")


def test_missing_codes_option(tmp_path):
    bad = CORPUS / "undeclared_code_minus9.csv"
    assert _score(bad, "--out", tmp_path / "x.csv").returncode == 2
    assert _score(bad, "--out", tmp_path / "x.csv", "--missing-codes", "-9").returncode == 0


def _overwrite_cases(tmp_path):
    """(survey, --out) pairs where an output would be the survey itself."""
    same = tmp_path / "same" / "survey.csv"
    sibling = tmp_path / "sibling" / "scores_schools.csv"      # <stem>_schools.csv of --out
    linked = tmp_path / "linked" / "survey.csv"
    hard = tmp_path / "hard" / "survey.csv"
    for p in (same, sibling, linked, hard):
        p.parent.mkdir()
        p.write_bytes(EXAMPLE.read_bytes())
    (tmp_path / "linked" / "link.csv").symlink_to(linked)
    (tmp_path / "hard" / "alias.csv").hardlink_to(hard)
    return [(same, same, same), (sibling, sibling.with_name("scores.csv"), sibling),
            (linked, tmp_path / "linked" / "link.csv", tmp_path / "linked" / "link.csv"),
            (hard, tmp_path / "hard" / "alias.csv", tmp_path / "hard" / "alias.csv")]


def test_an_output_that_is_the_input_is_refused_before_anything_is_written(tmp_path):
    for survey_path, out, clash in _overwrite_cases(tmp_path):
        before = {p: p.read_bytes() for p in survey_path.parent.iterdir()}
        proc = _score(survey_path, "--out", out)
        assert proc.returncode == 2, (out, proc.stderr)
        lines = [x for x in proc.stderr.splitlines() if x.strip()]
        assert len(lines) == 1 and lines[0].startswith(f"error: {clash}: "), proc.stderr
        assert f"would overwrite the input survey {survey_path} (the same file)" in lines[0]
        assert {p: p.read_bytes() for p in survey_path.parent.iterdir()} == before, out


def test_an_output_in_an_input_folder_is_refused(tmp_path):
    import os

    root = tmp_path / "proj"
    (root / "data" / "examples").mkdir(parents=True)
    (root / "notebooks").mkdir()
    target = root / "data" / "examples" / "scores.csv"
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "score", str(EXAMPLE),
                           "--out", str(target)], capture_output=True, text=True,
                          env={**os.environ, "COLLABCOMM_ROOT": str(root)})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {target}: --out would be written into data/examples/")
    assert f"(input survey {EXAMPLE})" in proc.stderr
    assert list((root / "data" / "examples").iterdir()) == []


# --- any codebook: the hospital example, the published default through a file, lq2002 vs R ---

HOSPITAL = REPO / "data" / "examples" / "hospital_survey_synthetic.csv"
HOSPITAL_CB = REPO / "data" / "examples" / "hospital_codebook.yaml"
TEMPLATE = REPO / "data" / "derived" / "instrument_codebook.yaml"


def test_score_command_with_a_codebook(tmp_path):
    out = tmp_path / "ward_scores.csv"
    proc = _score(HOSPITAL, "--codebook", HOSPITAL_CB, "--out", out)
    assert proc.returncode == 0, proc.stderr
    names = survey.output_names(out)
    assert [p.name for p in names.values()] == [
        "ward_scores.csv", "ward_scores_schools.csv", "ward_scores_reliability.csv",
        "ward_scores_items.csv", "ward_scores_icc.csv", "ward_scores_agreement.csv",
        "ward_scores_suppressed.csv"]
    scores = pd.read_csv(names["teachers"])
    assert list(scores.columns[:2]) == ["staff_id", "unit_id"]
    assert list(pd.read_csv(names["agreement"]).columns) == ["unit_id", "scale", "rwg_j",
                                                             "rwg_star_j"]
    assert list(pd.read_csv(names["suppressed"])["unit_id"]) == ["WARD-05"]  # 4 respondents
    assert list(pd.read_csv(names["icc"]).columns[:3]) == ["scale", "icc1", "icc2"]
    rel = pd.read_csv(names["reliability"])
    assert list(rel.columns[:2]) == ["scale", "alpha"] and rel["published_alpha"].isna().all()
    assert rel.set_index("scale")["alpha"].gt(0.7).all()  # the reverse-keyed item was recoded


def test_the_exhibit1_codebook_file_gives_the_same_bytes(tmp_path):
    # the default instrument through the codebook path: outputs byte for byte the same
    a, b = tmp_path / "a" / "s.csv", tmp_path / "b" / "s.csv"
    assert _score(EXAMPLE, "--out", a).returncode == 0
    proc = _score(EXAMPLE, "--codebook", TEMPLATE, "--out", b)
    assert proc.returncode == 0, proc.stderr
    for x, y in zip(survey.output_names(a).values(), survey.output_names(b).values(), strict=True):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_hand_computed_scores_with_reverse_keying_and_a_fraction():
    cb = codebook.from_mapping({
        "respondent": "id", "unit": "ward", "response_scale": {"min": 1, "max": 7},
        "missing_codes": [-9], "min_items": 0.6, "min_respondents": 1,
        "items": [{"id": "c1", "scale": "c"}, {"id": "c2", "scale": "c", "reverse": True},
                  {"id": "c3", "scale": "c"}]})
    responses = pd.DataFrame({"id": ["a", "b", "c"], "ward": ["W", "W", "V"],
                              "c1": [7.0, 4.0, 1.0], "c2": [1.0, None, None],
                              "c3": [4.0, 4.0, None]})
    s = instrument.score(responses, cb)
    # a: 7, 8 - 1 = 7, 4 -> mean 6 -> 100 * 5/6; b: 4, 4 -> 50; c: 1 of 3 < ceil(0.6 * 3) = 2
    assert s["c"].iloc[0] == pytest.approx(100 * 5 / 6)
    assert s["c"].iloc[1] == 50.0 and pd.isna(s["c"].iloc[2])
    assert list(s["n_items_c"]) == [3, 2, 1]


@pytest.mark.parametrize("change, message", [
    ("answer", "row 3, column 'collaborative_policies': answer 8 is outside the response "
               "scale 1-7 that the codebook {cb} gives for this item"),
    ("unit", "missing column(s) 'unit_id' (found 'unit_ids': misspelled?)"),
    ("item", "unexpected column(s) ['extra_item']. Expected ['staff_id', 'unit_id'] and the 12 "
             "item ids of the codebook {cb}"),
    ("code", "row 2, column 'traditional_policies': 99 looks like a missing-value code that was "
             "not declared"),
])
def test_file_and_codebook_disagreeing_name_both(tmp_path, change, message):
    text = HOSPITAL.read_text(encoding="utf-8").splitlines()
    if change == "answer":
        cells = text[2].split(",")
        cells[8] = "8"
        text[2] = ",".join(cells)
    elif change == "unit":
        text[0] = text[0].replace("unit_id", "unit_ids")
    elif change == "item":
        text = [row + (",extra_item" if k == 0 else ",3") for k, row in enumerate(text)]
    else:
        text[1] = text[1].replace("H0001,WARD-01,4", "H0001,WARD-01,99")
    bad = tmp_path / "wards.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(SurveyFileError) as info:
        instrument.read_survey(bad, codebook.load_codebook(HOSPITAL_CB))
    assert str(info.value).startswith(f"{bad}: ")
    assert message.format(cb=HOSPITAL_CB) in str(info.value)


def test_a_bad_codebook_exits_2_and_writes_nothing(tmp_path):
    cb = tmp_path / "cb.yaml"
    cb.write_text(HOSPITAL_CB.read_text(encoding="utf-8").replace("reverse: true",
                                                                  "reverse: yes please"),
                  encoding="utf-8")
    out = tmp_path / "out" / "s.csv"
    proc = _score(HOSPITAL, "--codebook", cb, "--out", out)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"error: {cb}: items[7] ('collaborative_disagreements').reverse: must be true or false, "
        "not 'yes please'"]
    assert not out.parent.exists()
    proc = _score(HOSPITAL, "--codebook", cb, "--out", cb)
    assert proc.returncode == 2 and "would overwrite the codebook" in proc.stderr


def test_min_items_option_takes_a_fraction(tmp_path):
    out = tmp_path / "s.csv"
    proc = _score(HOSPITAL, "--codebook", HOSPITAL_CB, "--min-items", "1.0", "--out", out)
    assert proc.returncode == 0, proc.stderr
    strict = pd.read_csv(out)
    assert strict["collaborative"].isna().sum() == (strict["n_items_collaborative"] < 3).sum() > 0
    assert _score(HOSPITAL, "--codebook", HOSPITAL_CB, "--min-items", "most",
                  "--out", out).returncode == 2


LQ = REPO / "data" / "examples"


@pytest.fixture(scope="module")
def lq2002():
    """lq2002 scored through the codebook path, and R's values (tests/reference/
    multilevel_items.R: psych::alpha, multilevel::ICC1/ICC2, rwg.j, rwg.j.lindell)."""
    cb = codebook.load_codebook(LQ / "lq2002_codebook.yaml")
    tables = survey.analyse(instrument.read_survey(LQ / "lq2002_items.csv", cb), cb)
    ref = pd.read_csv(REPO / "tests" / "reference" / "lq2002_items_reference.csv",
                      keep_default_na=False, dtype={"unit": str})
    return tables, ref


def _r(ref, table, statistic):
    return ref[(ref["table"] == table) & (ref["statistic"] == statistic)]


def test_lq2002_alpha_and_item_statistics_equal_psych(lq2002):
    tables, ref = lq2002
    rel = tables["reliability"].set_index("scale")
    for col, stat in (("alpha", "raw_alpha"), ("std_alpha", "std_alpha"),
                      ("mean_interitem_r", "average_r")):
        r = _r(ref, "alpha", stat).set_index("scale")["value"].astype(float)
        assert list(r.index) == ["LEAD", "TSIG", "HOSTIL"]
        assert (rel.loc[r.index, col] - r).abs().max() < 1e-9, col
    items = tables["items"].set_index("item")
    for col, stat in (("item_rest_r", "r_drop"), ("alpha_if_deleted", "alpha_if_deleted"),
                      ("mean", "mean"), ("sd", "sd")):
        r = _r(ref, "item", stat).set_index("item")["value"].astype(float)
        assert len(r) == 19
        assert (items.loc[r.index, col] - r).abs().max() < 1e-9, col


def test_lq2002_icc_and_rwg_equal_multilevel(lq2002):
    tables, ref = lq2002
    icc = tables["icc"].set_index("scale")
    for col in ("icc1", "icc2"):
        r = _r(ref, "icc", col).set_index("scale")["value"].astype(float)
        assert (icc.loc[r.index, col] - r).abs().max() < 1e-9, col
    assert list(icc["schools"]) == [49, 49, 49] and list(icc["teachers"]) == [2042] * 3
    ours = tables["agreement"].set_index(["COMPID", "scale"])
    for col, stat in (("rwg_j", "rwg_j"), ("rwg_star_j", "rwg_j_lindell")):
        r = _r(ref, "agreement", stat).set_index(["unit", "scale"])["value"].astype(float)
        assert len(r) == 49 * 3
        assert (ours.loc[r.index, col] - r).abs().max() < 1e-9, col
    truncated = _r(ref, "agreement", "rwg_j").astype({"value": float})
    assert (truncated["value"] == 0).sum() == 8  # the truncation at 0 is exercised


def test_score_summary_by_hand():
    from collabcomm.survey import score_summary

    scores = pd.DataFrame({"a": [0.0, 50.0, 100.0, None], "b": [10.0, 20.0, 30.0, 40.0],
                           "c": [1.0, 2.0, 3.0, 4.0]})
    out = score_summary(scores, ["b", "a"])
    assert out.index.name == "scale" and out.index.tolist() == ["b", "a"]
    assert list(out.columns) == ["n", "mean", "sd", "min", "max"]
    # a: 0, 50, 100 (the blank not counted): mean 50, SD sqrt((2500 + 0 + 2500) / 2) = 50
    assert out.loc["a"].tolist() == [3, 50.0, 50.0, 0.0, 100.0]
    # b: mean 25, SD sqrt((225 + 25 + 25 + 225) / 3) = sqrt(500 / 3)
    assert out.loc["b", "n"] == 4 and out.loc["b", "mean"] == 25.0
    assert out.loc["b", "sd"] == pytest.approx((500 / 3) ** 0.5, rel=1e-15)
    assert out["n"].dtype.kind == "i"
