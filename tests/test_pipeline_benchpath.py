"""The clone-to-figures benchmarks: what they measure and how the rows are made (the figures
themselves are read from ``make bench``, never asserted)."""

from __future__ import annotations

import json

import pytest

from collabcomm.pipeline import bench, benchpath


def test_rows_are_registered_with_the_bench_printer():
    assert benchpath.bench_critical_path in bench.BENCHMARKS
    assert benchpath.bench_fresh_clone in bench.SUITE_BENCHMARKS  # slow: left out by --quick


def test_floor_runs_one_cell_on_the_pipeline_kernel(tmp_path):
    seconds = benchpath.floor(tmp_path)
    assert seconds > 0
    executed = json.loads((tmp_path / "floor.out.ipynb").read_text())
    (cell,) = executed["cells"]
    assert "".join(cell["outputs"][0]["data"]["text/plain"]) == "2"
    assert executed["metadata"]["kernelspec"]["name"] == "python3"


def test_the_floor_s_cell_can_be_replaced_by_the_imports_bound(tmp_path):
    assert benchpath.floor(tmp_path, "import sys\nsorted(m for m in ('pandas', "
                           "'matplotlib.pyplot') if m in sys.modules)") > 0
    (cell,) = json.loads((tmp_path / "floor.out.ipynb").read_text())["cells"]
    assert cell["outputs"][0]["data"]["text/plain"] == ["[]"]  # a new kernel imports neither
    benchpath.floor(tmp_path, benchpath.IMPORTS_SOURCE + "\nimport sys\n"
                    "sorted(m for m in ('pandas', 'matplotlib.pyplot') if m in sys.modules)")
    (cell,) = json.loads((tmp_path / "floor.out.ipynb").read_text())["cells"]
    assert "".join(cell["outputs"][0]["data"]["text/plain"]) == "['matplotlib.pyplot', 'pandas']"


def test_figure_seconds_sums_the_cells_that_save_a_figure(tmp_path):
    def code(source, duration):
        return {"cell_type": "code", "source": source,
                "metadata": {"papermill": {"duration": duration}}}

    cells = [code(["import pandas"], 1.0), code(["fig = f()\n", "page.figure(fig, 'a')"], 0.5),
             code(["page.table(t)"], 0.25), code(["page.figure(g, 'b')"], None),
             {"cell_type": "markdown", "source": ["page.figure( in words"], "metadata": {}},
             code(["page.figure(h, 'c')"], 0.125)]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert benchpath.figure_seconds(path) == 0.625


def test_section_times_group_cells_under_their_headings(tmp_path):
    def code(duration):
        return {"cell_type": "code", "source": ["x"],
                "metadata": {"papermill": {"duration": duration}}}

    def heading(text):
        return {"cell_type": "markdown", "source": [text + "\n", "more"], "metadata": {}}

    cells = [heading("# 06 · title"), code(2.0), code(None), heading("## 1. GRIM"), code(0.5),
             heading("**What it means.**"), code(0.25), heading("## 2. Stars"),
             heading("## 3. Nothing ran here"), heading("## 4. Last"), code(1.0)]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    assert benchpath.section_times(path) == [("setup", 2.0), ("1. GRIM", 0.75), ("4. Last", 1.0)]


def test_critical_path_rows_are_ratios_of_one_run(monkeypatch):
    from types import SimpleNamespace

    floors = iter([2.0, 4.0, 3.0, 5.0])
    imports = iter([6.0, 9.0, 8.0, 7.0])
    monkeypatch.setattr(benchpath, "floor", lambda root, source=None: next(
        floors if source is None else imports))
    monkeypatch.setattr("collabcomm.pipeline.plan.default_jobs", lambda: 2)
    clock = iter([0.0, 28.0, 30.0, 51.0, 100.0, 107.0])
    monkeypatch.setattr(benchpath.time, "perf_counter", lambda: next(clock))
    runs = []

    def fake_run(root, **kw):
        runs.append((root, kw.get("only"), kw["force"]))
        executed = benchpath.project(root).executed
        executed.mkdir(parents=True, exist_ok=True)
        cells = [{"cell_type": "code", "source": ["x"],
                  "metadata": {"papermill": {"duration": 4.5}}},
                 {"cell_type": "code", "source": ["page.figure(fig)"],
                  "metadata": {"papermill": {"duration": 0.75}}}]
        (executed / f"{benchpath.AUDIT_NOTEBOOK}.ipynb").write_text(json.dumps({"cells": cells}))
        (executed / "05_item_analysis.ipynb").write_text(json.dumps({"cells": cells[1:]}))
        return SimpleNamespace(ok=True, runs=[
            SimpleNamespace(notebook="05_item_analysis", seconds=1.0),
            SimpleNamespace(notebook=benchpath.AUDIT_NOTEBOOK, seconds=len(runs) * 5.25)])

    monkeypatch.setattr("collabcomm.pipeline.execute.run", fake_run)
    listed = benchpath.bench_critical_path()
    # one project for all three runs: the second and third find the first's cache
    assert len({r[0] for r in runs}) == 1
    assert [(only, force) for _, only, force in runs] == [(None, True), (None, True), (["06"], True)]
    rows = {label: (value, unit, target) for label, value, unit, target in listed}
    assert rows["papermill floor: a one-cell notebook (median of 4)"] == (3.5, "s", "")
    assert rows["forced pipeline, all notebooks, cache cold"] == (28.0, "s", "")
    assert rows["forced pipeline again, cache warm"] == (21.0, "s", "")
    assert rows["notebook 06 alone (forced, cache warm)"] == (7.0, "s", "")
    ratios = [(v, t) for _, v, u, t in listed if u == "x"]
    # the second (warm) run's notebook 06, not the first's nor the run of 06 alone
    assert rows["notebook 06 in the warm forced run (a forked kernel)"] == (10.5, "s", "")
    # the bounds: the warm run's notebooks (1.0 + 10.5 s) less their figure cells (0.75 s
    # each) over 2 cores; the import-only notebook's median (7.5 s) against the floor's (3.5 s)
    assert rows["  its notebooks' own times, summed"] == (11.5, "s", "")
    assert rows["  of which figure cells (build, draw, save)"] == (1.5, "s", "")
    assert rows["  the rest over 2 cores: least run without drawing"] == (5.0, "s", "")
    assert rows["  least: a notebook that only imports pandas, pyplot (4)"] == (7.5, "s", "")
    assert ratios == [(8.0, ""), (6.0, "<= 7x"), (5.0 / 3.5, ""), (2.0, "<= 2x"),
                      (7.5 / 3.5, ""), (3.0, "")]
    assert rows["  06: kernel start and papermill (all but its cells)"] == (1.75, "s", "")
    assert rows["  06 § setup"] == (5.25, "s", "")


@pytest.mark.slow
def test_fresh_clone_rows_come_from_the_two_make_targets(monkeypatch, tmp_path):
    calls = []

    def fake(cmd, **kw):
        calls.append(cmd)
        if cmd[0] == "git":
            (tmp_path / "clone").mkdir(exist_ok=True)

    monkeypatch.setattr(benchpath.subprocess, "run", fake)
    rows = benchpath.bench_fresh_clone()
    assert [c[:2] for c in calls] == [["git", "clone"], ["make", "env"], ["make", "reproduce"]]
    assert [r[0] for r in rows] == ["make env in a fresh clone",
                                    "  then make reproduce (all figures)",
                                    "fresh clone to all figures (the two together)"]
    assert rows[2][1] == pytest.approx(rows[0][1] + rows[1][1])
    assert [r[3] for r in rows] == ["<= 15 s", "", "<= 45 s"]
