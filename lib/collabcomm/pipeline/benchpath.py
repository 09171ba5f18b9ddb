"""Benchmarks of the way from a clone to the figures (``make bench`` rows).

Two families, added to :data:`collabcomm.pipeline.bench.BENCHMARKS`:

- :func:`bench_critical_path`: the papermill floor (:func:`floor`: a notebook of one cell on
  the project's kernel, as the pipeline starts it), then two forced runs of every notebook
  (the disk cache of :mod:`collabcomm.memo` cold, then warm) and a forced run of notebook 06
  alone, each also printed as a ratio to that floor, measured in the same run; where
  notebook 06's time goes, per section (:func:`section_times`); and two bounds from below:
  a notebook that only imports pandas and pyplot (:data:`IMPORTS_SOURCE`; notebook 06 cannot
  take less), and the warm run's notebook time without its figure cells
  (:func:`figure_seconds`), spread over the cores (the run cannot take less without drawing
  its figures faster).
- :func:`bench_fresh_clone`: ``make env`` and ``make reproduce`` in a fresh ``git clone`` of
  this checkout in a temporary folder, as a new user would run them (the machine's uv and pip
  caches as they are).

The floor is measured four times, spread over the run (before, between and after the
notebooks), and its median is the denominator, so that a machine whose speed drifts during the
run moves numerator and denominator alike.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from ..memo import CACHE_ENV
from ..paths import ROOT_ENV, project

__all__ = ["FLOOR_NOTEBOOK", "IMPORTS_SOURCE", "RUN_INPUTS", "copy_project", "user_env", "floor",
           "section_times", "figure_seconds", "bench_critical_path", "bench_fresh_clone"]

Row = tuple[str, float, str, str]

#: The floor's notebook: one code cell that does nothing.
FLOOR_NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "floor",
                             "metadata": {}, "outputs": [], "source": ["1 + 1"]}],
                  "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                              "name": "python3"}},
                  "nbformat": 4, "nbformat_minor": 5}

#: The one cell of a notebook that only imports what notebook 06 needs to read a table and
#: draw its figure: no notebook that does both can take less (:func:`bench_critical_path`).
IMPORTS_SOURCE = "import pandas\nimport matplotlib.pyplot"

AUDIT_NOTEBOOK = "06_reproducibility_audit"


def floor(root: Path, source: str | None = None) -> float:
    """Seconds to execute :data:`FLOOR_NOTEBOOK` through papermill on the kernel the pipeline
    starts, with the pipeline's environment (what every notebook pays before its first cell).
    ``root`` is a scratch project folder: the notebook and its executed copy go below it.
    ``source``, when given, replaces the one cell's code (:data:`IMPORTS_SOURCE`, say)."""
    from .execute import _papermill

    paths = project(root)
    paths.notebooks.mkdir(parents=True, exist_ok=True)
    notebook = json.loads(json.dumps(FLOOR_NOTEBOOK))
    if source is not None:
        notebook["cells"][0]["source"] = [source]
    (paths.notebooks / "floor.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    t0 = time.perf_counter()
    _papermill(paths, "floor", Path(root) / "floor.out.ipynb", {})
    return time.perf_counter() - t0


def section_times(executed: Path) -> list[tuple[str, float]]:
    """Seconds of each section of an executed notebook: the cells' own durations as papermill
    records them (``metadata.papermill.duration``), summed from one ``## `` heading to the next.
    The cells before the first heading are the section ``setup``; a section whose cells took
    no time (only text) is left out."""
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    sections: list[tuple[str, float]] = [("setup", 0.0)]
    for cell in nb["cells"]:
        source = "".join(cell.get("source", []))
        if cell["cell_type"] == "markdown" and source.startswith("## "):
            sections.append((source.splitlines()[0][3:].strip(), 0.0))
        duration = cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0
        label, total = sections[-1]
        sections[-1] = (label, total + float(duration))
    return [s for s in sections if s[1] > 0 or s[0] == "setup"]


FIGURE_CALL = "page.figure("
"""How a notebook's cell draws and saves a figure (every figure goes through
:meth:`collabcomm.present.Page.figure`)."""


def figure_seconds(executed: Path) -> float:
    """Seconds of an executed notebook's figure cells (those that call :data:`FIGURE_CALL`),
    as papermill recorded them: building, drawing and saving the figures."""
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    return sum(float(cell.get("metadata", {}).get("papermill", {}).get("duration") or 0.0)
               for cell in nb["cells"]
               if cell["cell_type"] == "code" and FIGURE_CALL in "".join(cell.get("source", [])))


RUN_INPUTS = ("notebooks", "data/published", "data/theory", "data/examples")
"""What a run needs of a project (the inputs its notebooks read); see :func:`copy_project`."""


def copy_project(source: str | os.PathLike, root: str | os.PathLike) -> Path:
    """Copy :data:`RUN_INPUTS` of the project at ``source`` into a new project at ``root``
    (for a run that must not touch the checkout: the benchmarks, ``warm --record``); return
    ``root``."""
    for sub in RUN_INPUTS:
        shutil.copytree(Path(source) / sub, Path(root) / sub)
    return Path(root)


def bench_critical_path() -> list[Row]:
    """The papermill floor, the forced pipeline (with the disk cache of :mod:`collabcomm.memo`
    cold, then warm) and notebook 06 alone (warm: a run of one notebook, whose kernel is a new
    interpreter) and within the warm forced run (its kernel forked, see
    :mod:`collabcomm.pipeline.forkserver`), as seconds and as ratios to the floor measured in
    the same run (issue targets: pipeline <= 7x, notebook 06 <= 2x), and notebook 06 per
    section. Two rows bound the targets from below, as ratios to the same floor: a notebook
    that only imports :data:`IMPORTS_SOURCE` (notebook 06 imports both, and more, before it
    can read a table or draw), and the warm run's notebook time less its figure cells
    (:func:`figure_seconds`) over the cores (:func:`collabcomm.pipeline.plan.default_jobs`):
    the least a run of this work could take if every figure cost nothing, on a machine that
    keeps every core busy. Runs on a temporary copy of the project (the checkout and its cache are not
    touched)."""
    from .execute import run
    from .plan import default_jobs

    sink = io.StringIO()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(project().root, Path(tmp) / "proj")
        scratch = Path(tmp) / "floor"
        floors, imports = [floor(scratch)], [floor(scratch, IMPORTS_SOURCE)]
        forced = []
        for _ in range(2):  # the first run fills build/cache, the second finds it
            t0 = time.perf_counter()
            report = run(root, force=True, progress=False, out=sink)
            forced.append(time.perf_counter() - t0)
            floors.append(floor(scratch))
            imports.append(floor(scratch, IMPORTS_SOURCE))
            if not report.ok:
                raise RuntimeError(f"the forced run failed: {report.failure.message}")
        in_run = next(r.seconds for r in report.runs if r.notebook == AUDIT_NOTEBOOK)
        notebooks = sum(r.seconds for r in report.runs)
        drawing = sum(figure_seconds(project(root).executed / f"{r.notebook}.ipynb")
                      for r in report.runs)
        t0 = time.perf_counter()
        run(root, only=[AUDIT_NOTEBOOK[:2]], force=True, progress=False, out=sink)
        audit = time.perf_counter() - t0
        floors.append(floor(scratch))
        imports.append(floor(scratch, IMPORTS_SOURCE))
        sections = section_times(project(root).executed / f"{AUDIT_NOTEBOOK}.ipynb")
    base = statistics.median(floors)
    least = statistics.median(imports)
    cores = default_jobs()
    bare = (notebooks - drawing) / cores
    cells = sum(t for _, t in sections)
    rows = [(f"papermill floor: a one-cell notebook (median of {len(floors)})", base, "s", ""),
            ("forced pipeline, all notebooks, cache cold", forced[0], "s", ""),
            ("  as a multiple of the floor", forced[0] / base, "x", ""),
            ("forced pipeline again, cache warm", forced[1], "s", ""),
            ("  as a multiple of the floor", forced[1] / base, "x", "<= 7x"),
            ("  its notebooks' own times, summed", notebooks, "s", ""),
            ("  of which figure cells (build, draw, save)", drawing, "s", ""),
            (f"  the rest over {cores} cores: least run without drawing", bare, "s", ""),
            ("    as a multiple of the floor", bare / base, "x", ""),
            ("notebook 06 alone (forced, cache warm)", audit, "s", ""),
            ("  as a multiple of the floor", audit / base, "x", "<= 2x"),
            (f"  least: a notebook that only imports pandas, pyplot ({len(imports)})", least,
             "s", ""),
            ("    as a multiple of the floor", least / base, "x", ""),
            ("notebook 06 in the warm forced run (a forked kernel)", in_run, "s", ""),
            ("  as a multiple of the floor", in_run / base, "x", ""),
            ("  06: kernel start and papermill (all but its cells)", audit - cells, "s", "")]
    rows += [(f"  06 § {label}"[:58], t, "s", "") for label, t in sections]
    return rows


def user_env() -> dict[str, str]:
    """This process's environment without the project's virtual environment in it, nor the
    variables that would point a fresh clone at this checkout or its cache (a new user's)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", ROOT_ENV, CACHE_ENV, "MAKEFLAGS", "MFLAGS")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if ".venv" not in p)
    return env


def bench_fresh_clone(source: Path | None = None) -> list[Row]:
    """``make env`` and then ``make reproduce`` in a fresh clone of ``source`` (default: this
    checkout, its committed state), timed from outside as a user would run them (issue
    targets: 15 s; 45 s together). Needs git and make; no rows without them."""
    source = project().root if source is None else Path(source)
    if shutil.which("git") is None or shutil.which("make") is None or not (
            source / ".git").exists():
        return []
    env = user_env()
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(source), str(clone)], check=True)
        times = {}
        for target in ("env", "reproduce"):
            t0 = time.perf_counter()
            subprocess.run(["make", target, "ARGS=--no-progress"], cwd=clone, env=env,
                           check=True, capture_output=True)
            times[target] = time.perf_counter() - t0
    return [("make env in a fresh clone", times["env"], "s", "<= 15 s"),
            ("  then make reproduce (all figures)", times["reproduce"], "s", ""),
            ("fresh clone to all figures (the two together)", sum(times.values()), "s",
             "<= 45 s")]
