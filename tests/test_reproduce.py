"""The real notebooks, run by the pipeline in a temporary copy of the project (the shared
``full_run`` of conftest.py), reproduce the committed data/derived and figures byte for byte
(so committed results are never stale) and a second run skips every notebook."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from collabcomm import pipeline
from collabcomm.paths import project
from collabcomm.pipeline.compare import compare_trees

pytestmark = pytest.mark.notebooks
REPO = Path(__file__).resolve().parents[1]


def test_every_notebook_runs(full_run):
    root, report = full_run
    assert report.ok, report.failure and report.failure.message
    assert [r.notebook for r in report.runs] == pipeline.discover(project(REPO))


@pytest.mark.parametrize("folder", ["data/derived", "figures"])
def test_committed_outputs_are_current(full_run, folder):
    root, _ = full_run
    report = compare_trees(root, REPO, folder, stamps=root / "build" / "stamps")
    assert not report, (f"{folder}: committed files differ from a fresh run (run make "
                        "reproduce if the change is intended):\n" + "\n".join(report))


def test_second_run_skips_everything(full_run):
    root, _ = full_run
    report = pipeline.run(root, progress=False, out=io.StringIO())
    assert {r.status for r in report.runs} == {"skipped"}


def test_each_stamp_lists_every_output_its_notebook_wrote(full_run):
    # what a notebook's stamp lists is exactly what its declared output patterns match
    from collabcomm.pipeline.params import load_specs

    root, report = full_run
    assert report.ok
    specs = load_specs(root / "notebooks/params.yaml")
    for run in report.runs:
        stamp = json.loads((root / "build/stamps" / f"{run.notebook}.json").read_text())
        declared = sorted({p.relative_to(root).as_posix() for pattern in specs[run.notebook].outputs
                           for p in root.glob(pattern) if p.is_file()})
        assert stamp["outputs"] == declared, run.notebook
        assert run.outputs == declared
