"""Confidentiality when a user's own survey is analysed (notebook 02 and the score command):
no respondent-level row is written outside build/ or the chosen output path, and a school
below the minimum-respondents rule appears in no table or figure. Every written file is read."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import tree_digest

from collabcomm import pipeline

pytestmark = pytest.mark.notebooks
REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "data" / "examples" / "example_survey.csv"
TEACHER_IDS = list(pd.read_csv(EXAMPLE)["teacher_id"])
SUPPRESSED = "EXAMPLE-C"  # 3 respondents, below the default minimum of 5


def test_notebook_02_on_own_data(tmp_path):
    root = tmp_path / "proj"
    for sub in ("notebooks", "data", "figures"):
        shutil.copytree(REPO / sub, root / sub)
    before = tree_digest(root)
    report = pipeline.run(root, only=["02"], progress=False, out=io.StringIO(),
                          overrides={"responses_path": "data/examples/example_survey.csv"})
    assert report.ok, report.failure and report.failure.message
    after = tree_digest(root, skip="build")
    assert after == before, "files outside build/ changed"
    own = root / "build" / "own_data"
    written = [p for p in own.rglob("*") if p.is_file()]
    names = sorted(p.relative_to(own).as_posix() for p in written)
    assert "instrument_schools.csv" in names and "figures/instrument_reliability.svg" in names
    for p in written:
        data = p.read_bytes()
        for tid in TEACHER_IDS:  # no respondent-level row, even in build/
            assert tid.encode() not in data, f"{p.name} holds respondent {tid}"
        if p.name != "instrument_suppressed.csv":
            assert SUPPRESSED.encode() not in data, f"{p.name} shows the suppressed school"
    assert SUPPRESSED in (own / "instrument_suppressed.csv").read_text()


def test_score_command_writes_only_beside_the_chosen_path(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out = work / "results" / "scores.csv"
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "score", str(EXAMPLE), "--out",
                           str(out)], cwd=work, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    files = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
    assert files == sorted(f"results/scores{s}.csv" for s in
                           ("", "_schools", "_reliability", "_items", "_icc", "_agreement",
                            "_suppressed"))
    for p in work.rglob("*.csv"):
        if p.name not in ("scores.csv", "scores_suppressed.csv"):
            assert SUPPRESSED not in p.read_text(), p.name
        if p.name != "scores.csv":  # only the chosen path holds respondent rows
            assert not any(t in p.read_text() for t in TEACHER_IDS), p.name


def test_notebook_02_with_an_own_codebook(tmp_path):
    # another field's instrument through parameters only: 7-point items, a reverse-keyed item,
    # wards as units; results in build/own_data/, unit column named as in the codebook
    root = tmp_path / "proj"
    for sub in ("notebooks", "data", "figures"):
        shutil.copytree(REPO / sub, root / sub)
    before = tree_digest(root)
    report = pipeline.run(root, only=["02"], progress=False, out=io.StringIO(), overrides={
        "responses_path": "data/examples/hospital_survey_synthetic.csv",
        "codebook_path": "data/examples/hospital_codebook.yaml"})
    assert report.ok, report.failure and report.failure.message
    assert tree_digest(root, skip="build") == before, "files outside build/ changed"
    own = root / "build" / "own_data"
    agreement = pd.read_csv(own / "instrument_agreement.csv")
    assert list(agreement.columns) == ["unit_id", "scale", "rwg_j", "rwg_star_j"]
    assert list(pd.read_csv(own / "instrument_suppressed.csv")["unit_id"]) == ["WARD-05"]
    assert "respondent: \"staff_id\"" in (own / "instrument_codebook.yaml").read_text()
    assert "synthetic: true" in (own / "instrument_codebook.yaml").read_text()
    ids = pd.read_csv(REPO / "data" / "examples" / "hospital_survey_synthetic.csv")["staff_id"]
    for p in (q for q in own.rglob("*") if q.is_file()):
        data = p.read_bytes()
        assert not any(s.encode() in data for s in ids), f"{p.name} holds a respondent id"
        if p.name != "instrument_suppressed.csv":
            assert b"WARD-05" not in data, f"{p.name} shows the suppressed ward"
    svg = (own / "figures" / "instrument_reliability.svg").read_text()
    assert "synthetic" in svg.lower()  # the example's figures say the data are made up


def test_notebook_02_refuses_a_bad_codebook(tmp_path):
    root = tmp_path / "proj"
    for sub in ("notebooks", "data", "figures"):
        shutil.copytree(REPO / sub, root / sub)
    bad = root / "data" / "examples" / "bad_codebook.yaml"
    bad.write_text("respondent: staff_id\nunit: unit_id\nresponse_scale: {min: 7, max: 1}\n"
                   "items: [{id: q1, scale: s}]\n", encoding="utf-8")
    report = pipeline.run(root, only=["02"], progress=False, out=io.StringIO(), overrides={
        "responses_path": "data/examples/hospital_survey_synthetic.csv",
        "codebook_path": "data/examples/bad_codebook.yaml"})
    assert not report.ok and report.failure.error == "CodebookError"
    assert "response_scale: min (7) must be below max (1)" in report.failure.message


APIPOP_RUN = ["run", "--only", "04", "-p", "schools_path=data/examples/apipop.csv",
              "-p", "spec_path=data/examples/apipop_models.yaml", "-p", "missing=drop"]
"""The README's command for notebook 04 on your own units and models (R survey's apipop)."""


def test_notebook_04_on_apipop_through_parameters_matches_r(project_copy):
    from collabcomm.precision import round_significant

    before = tree_digest(project_copy)
    proc = subprocess.run([sys.executable, "-m", "collabcomm", *APIPOP_RUN, "--root",
                           str(project_copy), "--no-progress"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert tree_digest(project_copy, skip="build") == before  # nothing outside build/ changed
    own = project_copy / "build" / "own_data"
    assert sorted(p.relative_to(own).as_posix() for p in own.rglob("*") if p.is_file()) == [
        "exhibit4_fits.csv",  # no exhibit4_reproduced.csv: no published Exhibit 4 to compare
        *(f"figures/exhibit4_{f}.{e}" for f in ("coefficients", "partial_regression")
          for e in ("png", "svg"))]
    fits = pd.read_csv(own / "exhibit4_fits.csv")
    ref = pd.read_csv(REPO / "tests" / "reference" / "apipop_lm.csv")
    m = fits.merge(ref, on=["model", "term"], suffixes=("", "_r"))
    assert list(m["term"]) == ["const", "api99", "meals", "enroll"] and len(fits) == 4
    # the written table equals R's lm at the written precision (precision policy: estimates to
    # 7 significant digits, p-values to 4)
    for col in ("coef", "se", "t", "r_squared", "adj_r_squared"):
        assert m[col].tolist() == round_significant(m[f"{col}_r"]).tolist(), col
    assert m["p"].tolist() == round_significant(m["p_r"], 4).tolist()
    assert (m["n"] == 6157).all() and (m["n_r"] == 6157).all()
    assert set(fits["specification"]) == {"as specified"} and fits["beta"].notna().sum() == 3
