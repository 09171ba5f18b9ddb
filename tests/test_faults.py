"""Fault isolation: a failing notebook, a missing or corrupt published table, and an
interrupted run each fail clearly and leave data/derived and figures as they were."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import tree_digest

from collabcomm import pipeline

pytestmark = pytest.mark.notebooks
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def proj(tmp_path):
    root = tmp_path / "proj"
    for sub in ("notebooks", "data", "figures"):
        shutil.copytree(REPO / sub, root / sub)
    return root


def _digest(root: Path) -> dict[str, dict[str, str]]:
    return {folder: tree_digest(root / folder) for folder in ("data/derived", "figures")}



def test_exception_in_a_real_notebook_names_notebook_and_cell(proj):
    before = _digest(proj)
    report = pipeline.run(proj, only=["04"], progress=False, out=io.StringIO(),
                          overrides={"schools_path": "data/examples/example_survey.csv"})
    assert not report.ok
    msg = report.failure.message
    assert msg.startswith("notebook 04_regressions failed in cell ")
    assert "CollabcommError" in msg and "example_survey.csv: missing column(s)" in msg
    assert _digest(proj) == before
    assert (proj / "build/notebooks/04_regressions.ipynb").is_file()


def test_missing_published_table_is_named(proj):
    (proj / "data/published/exhibit3_correlations.csv").unlink()
    before = _digest(proj)
    report = pipeline.run(proj, only=["03"], progress=False, out=io.StringIO())
    assert not report.ok
    assert "exhibit3_correlations.csv: published table not found" in report.failure.message
    assert _digest(proj) == before


def test_corrupt_published_table_is_named_with_row_and_column(proj):
    path = proj / "data/published/exhibit2_descriptives.csv"
    path.write_text(path.read_text().replace("66.38", "sixty-six"))
    before = _digest(proj)
    report = pipeline.run(proj, only=["03"], progress=False, out=io.StringIO())
    assert not report.ok
    assert ("exhibit2_descriptives.csv: row 3, column 'value': 'sixty-six' is not a number"
            in report.failure.message)
    assert _digest(proj) == before


def test_interrupted_run_leaves_no_half_written_file(proj):
    before = _digest(proj)
    proc = subprocess.Popen(
        [sys.executable, "-m", "collabcomm", "run", "--force", "--no-progress", "--root",
         str(proj)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.time() + 120
    staging = proj / "build" / "staging"
    # wait until a notebook is part-way through writing its outputs (staged files exist)
    while time.time() < deadline and proc.poll() is None:
        if staging.exists() and any(p.is_file() for p in staging.rglob("*")):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (1, 130), err.decode()
    leftovers = [p for folder in ("data/derived", "figures")
                 for p in (proj / folder).rglob("*") if ".tmp-" in p.name]
    assert not leftovers
    # every output is whole: deterministic reruns make a committed file identical to before
    assert _digest(proj) == before
    assert not any(p.is_file() for p in staging.rglob("*")) if staging.exists() else True
