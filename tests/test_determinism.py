"""Two complete runs of every notebook, in two temporary projects, give byte-identical
data/derived and figures (PNG and SVG), and executed notebooks that differ at most in their
execution timestamps. One run is the shared ``full_run`` of conftest.py, with notebooks running
concurrently; the other runs them one after another (``jobs=1``), so the check also shows that
running notebooks at the same time changes no byte. The second run also takes the slow pure
functions' results from the first run's disk cache (:mod:`collabcomm.memo`), so the check also
shows that a warm cache changes no byte, in the outputs or in what the notebooks show. And the
first run forks its kernels after the first from the fork server
(:mod:`collabcomm.pipeline.forkserver`) while the second starts every kernel as a new
interpreter (``COLLABCOMM_FORK=off``), so the check also shows that a forked kernel changes no
byte."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import copy_inputs, tree_digest

from collabcomm import pipeline
from collabcomm.memo import CACHE_ENV
from collabcomm.paths import project
from collabcomm.pipeline.forkserver import FORK_ENV

pytestmark = pytest.mark.notebooks
REPO = Path(__file__).resolve().parents[1]
TIMESTAMP_KEYS = {"start_time", "end_time", "duration", "execution", "iopub.execute_input",
                  "iopub.status.busy", "iopub.status.idle", "shell.execute_reply"}


def _run_one_at_a_time(tmp: Path, cache: Path, monkeypatch) -> Path:
    root = copy_inputs(tmp / "proj")
    before = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(before) >= 5  # the audit's, the reconciliation's, the classroom grid's entries
    monkeypatch.setenv(CACHE_ENV, str(cache))  # the kernels inherit it: cache_env steps aside
    monkeypatch.setenv(FORK_ENV, "off")  # every kernel a new interpreter
    report = pipeline.run(root, force=True, jobs=1, progress=False, out=io.StringIO())
    assert report.ok, report.failure and report.failure.message
    # every entry was found (none added, none rewritten), and none written below this root
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == before
    assert not (root / "build" / "cache").exists()
    return root


def _strip_timestamps(node):
    """Drop execution timestamps, and stderr streams (library warnings are not results)."""
    if isinstance(node, dict) and "outputs" in node:
        node = {**node, "outputs": [o for o in node["outputs"]
                                    if not (o.get("output_type") == "stream"
                                            and o.get("name") == "stderr")]}
    if isinstance(node, dict):
        return {k: _strip_timestamps(v) for k, v in node.items() if k not in TIMESTAMP_KEYS}
    if isinstance(node, list):
        return [_strip_timestamps(v) for v in node]
    return node


@pytest.fixture(scope="module")
def two_runs(full_run, tmp_path_factory):
    root, report = full_run
    assert report.ok, report.failure and report.failure.message
    with pytest.MonkeyPatch.context() as monkeypatch:
        return root, _run_one_at_a_time(tmp_path_factory.mktemp("sequential"),
                                        project(root).build / "cache", monkeypatch)


def test_one_run_forked_its_kernels_and_the_other_did_not(two_runs):
    a, b = two_runs
    log = (a / "build/logs/forkserver.log").read_text()
    assert log.count("forked kernel ") == len(pipeline.discover(project(a))) - 1, log
    assert "refused" not in log
    assert not (b / "build/logs/forkserver.log").exists()


@pytest.mark.parametrize("folder", ["data/derived", "figures"])
def test_outputs_are_byte_identical(two_runs, folder):
    a, b = two_runs
    da, db = tree_digest(a / folder), tree_digest(b / folder)
    assert da and da == db
    if folder == "figures":
        assert any(k.endswith(".png") for k in da) and any(k.endswith(".svg") for k in da)


def test_executed_notebooks_differ_only_in_timestamps(two_runs):
    a, b = two_runs
    names = sorted(p.name for p in (a / "build/notebooks").glob("*.ipynb"))
    assert names == sorted(f"{n}.ipynb" for n in pipeline.discover(project(REPO)))
    for name in names:
        na = _strip_timestamps(json.loads((a / "build/notebooks" / name).read_text()))
        nb = _strip_timestamps(json.loads((b / "build/notebooks" / name).read_text()))
        assert na == nb, f"{name} differs beyond execution timestamps"
