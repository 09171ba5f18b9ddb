"""Notebook 02 on a user's own survey file: results go to build/own_data, never into the
committed data/derived or figures, and a suppressed school appears in no table or figure."""

from __future__ import annotations

import hashlib
import io
import shutil
from pathlib import Path

import pytest

from collabcomm import pipeline

pytestmark = pytest.mark.notebooks
REPO = Path(__file__).resolve().parents[1]


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_own_survey_goes_to_build_only(tmp_path):
    root = tmp_path / "proj"
    for sub in ("notebooks", "data"):
        shutil.copytree(REPO / sub, root / sub)
    (root / "figures").mkdir()
    before = {"data/derived": _digest(root / "data/derived"), "figures": _digest(root / "figures")}
    report = pipeline.run(root, only=["02"], progress=False, out=io.StringIO(),
                          overrides={"responses_path": "data/examples/example_survey.csv"})
    assert report.ok, report.failure and report.failure.message
    assert _digest(root / "data/derived") == before["data/derived"]
    assert _digest(root / "figures") == before["figures"]
    own = root / "build" / "own_data"
    written = sorted(p.relative_to(own).as_posix() for p in own.rglob("*") if p.is_file())
    assert "instrument_schools.csv" in written and "figures/instrument_reliability.png" in written
    assert "teachers_synthetic.csv" not in written
    # EXAMPLE-C has 3 respondents (< 5): listed as suppressed, and nowhere else
    for p in own.rglob("*"):
        if p.is_file() and p.name != "instrument_suppressed.csv":
            assert b"EXAMPLE-C" not in p.read_bytes(), p
    assert "EXAMPLE-C" in (own / "instrument_suppressed.csv").read_text()
    executed = (root / "build/notebooks/02_instrument.ipynb").read_text()
    assert "EXAMPLE-C" in executed  # the suppressed list is shown; no school-level row of it
