"""Sweeps (issue 17, points 10-12): a size cap, exact and unique run names, and a
results.csv that a failing sweep never empties. The notebook runs are replaced by a stand-in
that writes the one-row summary a sweepable notebook writes, so no kernel starts."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from collabcomm import pipeline
from collabcomm.errors import NotebookError, ParameterError

REPO = Path(__file__).resolve().parents[1]


def _stand_in(fail=False):
    """A replacement for pipeline.execute._papermill: writes power_summary.csv with the run's values."""
    def run(paths, nb, target, values):
        if fail:
            raise RuntimeError("the kernel died")
        out = paths.root / values["output_dir"]
        out.mkdir(parents=True, exist_ok=True)
        (out / "power_summary.csv").write_text(
            f"n_schools,alpha_used\n{values['n_schools']},{values['alpha']!r}\n")
        target.write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4,
                                      "nbformat_minor": 5}))
    return run


def _sweep(root, grid, **kw):
    return pipeline.sweep("07", grid, root, progress=False, out=io.StringIO(), **kw)


def test_a_grid_larger_than_the_cap_is_refused_before_anything_runs(project_copy, monkeypatch):
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in())
    grid = {"n_schools": list(range(10, 110)), "sim_seed": list(range(100))}  # 10,000 runs
    with pytest.raises(ParameterError, match=r"^sweep: the grid has 10000 combinations "
                                             r"\(100 n_schools x 100 sim_seed\), more than the "
                                             r"limit of 100 runs; narrow the grid, or raise the "
                                             r"limit with --max-runs 10000"):
        _sweep(project_copy, grid)
    assert not (project_copy / "build").exists()
    grid = {"n_schools": [10, 11, 12], "alpha": [0.5, 0.6]}
    with pytest.raises(ParameterError, match=r"the grid has 6 combinations \(3 n_schools x 2 "
                                             r"alpha\), more than the limit of 5 runs"):
        _sweep(project_copy, dict(grid), max_runs=5)
    table, _ = _sweep(project_copy, dict(grid), max_runs=6)  # raised: it runs
    assert len(table) == 6


def test_the_cap_on_the_command_line(project_copy):
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "sweep", "07", "-p",
                           "n_schools=10,11,12", "--max-runs", "2", "--root", str(project_copy)],
                          capture_output=True, text=True,
                          env={k: v for k, v in os.environ.items() if k != "COLLABCOMM_ROOT"})
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == ("error: sweep: the grid has 3 combinations (3 n_schools), more than "
                           "the limit of 2 runs; narrow the grid, or raise the limit with "
                           "--max-runs 3 (max_runs=3 in Python)\n")
    assert not (project_copy / "build").exists()


def test_near_equal_values_get_their_own_run(project_copy, monkeypatch):
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in())
    table, folder = _sweep(project_copy, {"alpha": [0.1, 0.10000000001], "n_schools": [26]})
    assert set(table["run"]) == {"alpha=0.1_n_schools=26", "alpha=0.10000000001_n_schools=26"}
    assert sorted(table["alpha_used"]) == [0.1, 0.10000000001]  # each run kept its own output
    assert (folder / "alpha=0.1_n_schools=26" / "power_summary.csv").is_file()
    assert (folder / "alpha=0.10000000001_n_schools=26" / "power_summary.csv").is_file()
    for run, value in zip(table["run"], table["sweep_alpha"], strict=True):
        back = pipeline.sweeps._unlabel(run)  # reversible: the name gives the exact value back
        assert float(back["alpha"]) == value and int(back["n_schools"]) == 26


def test_a_value_listed_twice_is_refused(project_copy, monkeypatch):
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in())
    grid = pipeline.parse_grid(["alpha=0.5,0.50,0.7"])
    with pytest.raises(ParameterError, match=r"sweep: parameter 'alpha' lists the value 0\.5 more "
                                             r"than once \(given as 0\.5, 0\.50\)"):
        _sweep(project_copy, grid)
    with pytest.raises(ParameterError, match=r"parameter 'n_schools' lists the value 26 more "
                                             r"than once \(given as 26, 26\.0\)"):
        _sweep(project_copy, {"n_schools": [26, 26.0]})
    assert not (project_copy / "build").exists()


def test_a_failing_sweep_keeps_the_previous_results(project_copy, monkeypatch):
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in())
    _, folder = _sweep(project_copy, {"n_schools": [10, 26]})
    results = folder / "results.csv"
    good = results.read_bytes()
    assert pd.read_csv(results)["n_schools"].tolist() == [10, 26]
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in(fail=True))
    with pytest.raises(NotebookError, match=r"\(2 of 2 runs failed; no run succeeded, so "
                                            rf"{results} keeps the previous sweep's results\)"):
        _sweep(project_copy, {"n_schools": [12, 14]})
    assert results.read_bytes() == good
    assert [p.name for p in folder.iterdir() if ".tmp-" in p.name] == []


def test_a_first_sweep_that_fails_writes_no_empty_results(project_copy, monkeypatch):
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in(fail=True))
    with pytest.raises(NotebookError, match=r"no run succeeded, so no results\.csv was written"):
        _sweep(project_copy, {"n_schools": [12]})
    assert not (project_copy / "build" / "sweeps" / "07_classroom_power" / "results.csv").exists()


@pytest.mark.parametrize("item, message", [
    ("sim_seed=1,12:30", "parameter 'sim_seed' = '12:30' must be a whole number in decimal digits"),
    ("alpha=0.5,.inf", "parameter 'alpha' = '.inf' must be a decimal number"),
    ("n_schools=26 #x,30", "parameter 'n_schools' = '26 #x' must be a whole number"),
    ("missing=refuse #x", "parameter 'missing' = 'refuse #x' has value outside ['refuse', 'drop']"),
])
def test_a_grid_value_is_read_by_the_declared_type(project_copy, monkeypatch, item, message):
    """Sweep values are read like -p values of run: never as YAML."""
    monkeypatch.setattr(pipeline.execute, "_papermill", _stand_in())
    with pytest.raises(ParameterError) as info:
        _sweep(project_copy, pipeline.parse_grid([item]))
    assert str(info.value).startswith(f"notebook 07_classroom_power: {message}")
    assert not (project_copy / "build").exists()
    table, _ = _sweep(project_copy, pipeline.parse_grid(["sim_seed=1,0750"]))
    assert sorted(table["sweep_sim_seed"]) == [1, 750]
