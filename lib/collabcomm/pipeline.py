"""The one-command pipeline: run the notebooks in order through papermill.

``python -m collabcomm run`` (what ``make reproduce`` calls):

1. finds ``notebooks/NN_*.ipynb`` and runs them in name order;
2. takes each notebook's defaults from ``notebooks/params.yaml``; ``-p name=value`` overrides
   a default in every selected notebook that declares ``name``; ``--only 04`` selects one;
3. validates every parameter of every selected notebook *before* anything runs
   (:func:`collabcomm.params.resolve_parameters`);
4. skips a notebook whose inputs have not changed since its last successful run, unless
   ``--force``. A notebook's inputs are its source, its parameter values, every file of the
   ``collabcomm`` package (an edit to lib changes what a notebook computes), the data files
   matched by its ``inputs`` patterns in params.yaml, and any file named by a ``path``
   parameter (:func:`fingerprint`);
5. writes the executed copy to ``build/notebooks/``; while a notebook runs, the files it writes
   to the project are staged (:mod:`collabcomm.outputs`) and moved into ``figures/`` and
   ``data/derived/`` only when it succeeds;
6. stops at the first failing notebook with one message naming the notebook, the cell and the
   exception; the partly executed notebook stays in ``build/notebooks/`` for inspection.

A progress bar advances one step per notebook and a summary table ends the run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .errors import NotebookError
from .outputs import STAGE_ENV, commit_staged, write_text
from .params import NotebookSpec, load_specs, resolve_parameters
from .paths import ROOT_ENV, ProjectPaths, package_dir, project

__all__ = [
    "KERNEL_NAME",
    "parse_grid",
    "sweep",
    "NotebookRun",
    "RunReport",
    "discover",
    "fingerprint",
    "run",
    "format_summary",
]

KERNEL_NAME = "python3"
"""The kernel papermill starts. ``python3`` resolves to the interpreter running the pipeline, so
a notebook always imports the same ``collabcomm`` the pipeline hashed (``make`` also registers a
``collabcomm`` kernel for JupyterLab; it points at the same interpreter)."""
#: Command-line arguments for every kernel the pipeline starts (see ``_papermill``).
KERNEL_ARGS = ["--IPKernelApp.log_level=CRITICAL"]

RUN_ENV = {
    # deterministic figures and hashing in the kernels the pipeline starts
    "MPLBACKEND": "Agg",
    "PYTHONHASHSEED": "0",
    "SOURCE_DATE_EPOCH": "0",
}


@dataclass
class NotebookRun:
    """What happened to one notebook in a run."""

    notebook: str
    status: str  # "ran", "skipped", "failed", "interrupted" or "not run"
    seconds: float = 0.0
    message: str = ""
    outputs: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    """The result of :func:`run`: one :class:`NotebookRun` per selected notebook."""

    runs: list[NotebookRun]

    @property
    def ok(self) -> bool:
        return all(r.status in ("ran", "skipped") for r in self.runs)

    @property
    def failure(self) -> NotebookRun | None:
        return next((r for r in self.runs if r.status in ("failed", "interrupted")), None)


def discover(paths: ProjectPaths) -> list[str]:
    """Names (without suffix) of ``notebooks/NN_*.ipynb``, in run order."""
    if not paths.notebooks.is_dir():
        return []
    return sorted(
        p.stem for p in paths.notebooks.glob("[0-9][0-9]_*.ipynb") if p.is_file()
    )


def _select(names: list[str], only: list[str] | None) -> list[str]:
    if not only:
        return names
    chosen = []
    for key in only:
        hits = [n for n in names if n == key or n.startswith(f"{key}_") or n.split("_")[0] == key]
        if not hits:
            raise NotebookError(f"--only {key}: no notebook matches; notebooks are {names}")
        chosen.extend(h for h in hits if h not in chosen)
    return [n for n in names if n in chosen]


def _hash_file(h: Any, path: Path, label: str) -> None:
    h.update(label.encode() + b"\0")
    h.update(path.read_bytes())
    h.update(b"\0")


def fingerprint(paths: ProjectPaths, notebook: str, spec: NotebookSpec,
                values: dict[str, Any], lib_dir: Path | None = None) -> str:
    """SHA-256 of everything a notebook's results depend on.

    Its source bytes; its parameter values (canonical JSON); every file below ``lib_dir``
    (default: the imported ``collabcomm`` package), caches excluded; every file matched by the
    notebook's ``inputs`` glob patterns; every existing file named by a ``path`` parameter.
    """
    lib_dir = package_dir() if lib_dir is None else Path(lib_dir)
    h = hashlib.sha256()
    _hash_file(h, paths.notebooks / f"{notebook}.ipynb", "notebook")
    h.update(json.dumps(values, sort_keys=True, default=str).encode() + b"\0")
    for f in sorted(p for p in lib_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        _hash_file(h, f, f"lib/{f.relative_to(lib_dir).as_posix()}")
    inputs: set[Path] = set()
    for pattern in spec.inputs:
        inputs.update(p for p in paths.root.glob(pattern) if p.is_file())
    for name, pspec in spec.parameters.items():
        if pspec.type == "path" and values.get(name):
            p = Path(values[name])
            p = p if p.is_absolute() else paths.root / p
            if p.is_file():
                inputs.add(p)
    own = {p for pattern in spec.outputs for p in paths.root.glob(pattern)}
    for f in sorted(inputs - own):  # a notebook's own outputs are never its inputs
        label = f.relative_to(paths.root).as_posix() if f.is_relative_to(paths.root) else str(f)
        _hash_file(h, f, f"input/{label}")
    return h.hexdigest()


def _read_stamp(paths: ProjectPaths, notebook: str) -> dict | None:
    try:
        return json.loads((paths.stamps / f"{notebook}.json").read_text())
    except (OSError, ValueError):
        return None


def _up_to_date(paths: ProjectPaths, notebook: str, digest: str) -> bool:
    stamp = _read_stamp(paths, notebook)
    if not stamp or stamp.get("fingerprint") != digest:
        return False
    if not (paths.executed / f"{notebook}.ipynb").is_file():
        return False
    return all((paths.root / o).is_file() for o in stamp.get("outputs", []))


@contextlib.contextmanager
def _environment(updates: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in updates}
    os.environ.update(updates)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _failure_message(notebook: str, exc: BaseException, executed: Path) -> str:
    """One message naming the notebook, the cell and the exception."""
    cell_index = getattr(exc, "cell_index", None)
    if cell_index is not None:
        where = f"cell {cell_index + 1} (In [{exc.exec_count}])"
        what = f"{exc.ename}: {exc.evalue}"
    else:
        where = "before its first cell ran"
        what = f"{type(exc).__name__}: {exc}"
    return (
        f"notebook {notebook} failed in {where}: {what}\n"
        f"  the partly executed notebook is {executed}\n"
        f"  figures/ and data/derived/ keep the files of the last good run"
    )


def _normalise_executed(path: Path, root: Path) -> None:
    """Make an executed notebook independent of where and when it ran, except timestamps:
    papermill gives the injected-parameters cell a random id and records absolute paths, and
    a cell's printed output arrives in timing-dependent chunks (merged here)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb.get("cells", [])):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = f"injected-parameters-{i}"
        merged = []  # how a stream is split into chunks depends on timing: join the chunks
        for out in cell.get("outputs", []):
            if (out.get("output_type") == "stream" and merged
                    and merged[-1].get("output_type") == "stream"
                    and merged[-1].get("name") == out.get("name")):
                prev = merged[-1]
                prev["text"] = "".join(prev["text"]) + "".join(out["text"])
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        if meta.get(key):
            p = Path(meta[key])
            meta[key] = p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name
    write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def _papermill(paths: ProjectPaths, notebook: str, target: Path, values: dict[str, Any]) -> None:
    """Execute ``notebooks/<notebook>.ipynb`` into ``target`` with papermill.

    The kernel starts with its own log level at CRITICAL (``KERNEL_ARGS``): ipykernel >= 7 logs
    a warning about TCP transport on every start, and jupyter_client interrupts every kernel it
    shuts down, which the kernel logs as an ERROR ("KeyboardInterrupt caught in kernel") when
    the interrupt lands while it is still busy, as happens on a loaded machine; both would break
    the progress bar. Errors raised by cells reach us through papermill, and a kernel that dies
    raises papermill's DeadKernelError, neither through the kernel's log, so none is hidden.
    """
    import papermill as pm

    pm.execute_notebook(
        str(paths.notebooks / f"{notebook}.ipynb"),
        str(target),
        parameters=values,
        kernel_name=KERNEL_NAME,
        cwd=str(paths.notebooks),
        progress_bar=False,
        log_output=False,
        extra_arguments=KERNEL_ARGS,
    )


def _execute(paths: ProjectPaths, notebook: str, values: dict[str, Any]) -> list[str]:
    """Run one notebook with papermill; commit its staged outputs; return them (relative)."""
    paths.executed.mkdir(parents=True, exist_ok=True)
    stage = paths.staging / notebook
    shutil.rmtree(stage, ignore_errors=True)
    env = {ROOT_ENV: str(paths.root), STAGE_ENV: str(stage), **RUN_ENV}
    try:
        with _environment(env):
            _papermill(paths, notebook, paths.executed / f"{notebook}.ipynb", values)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _normalise_executed(paths.executed / f"{notebook}.ipynb", paths.root)
    committed = commit_staged(stage, paths.root)
    return [c.relative_to(paths.root).as_posix() for c in committed]


def run(root: str | os.PathLike | None = None, *, only: list[str] | None = None,
        force: bool = False, overrides: dict[str, Any] | None = None,
        lib_dir: str | os.PathLike | None = None, progress: bool = True,
        out: TextIO | None = None) -> RunReport:
    """Run the notebooks; see the module docstring for what it does.

    Parameters
    ----------
    root : path-like, optional
        Project root (default: :func:`collabcomm.paths.project`).
    only : list of str, optional
        Notebook names or number prefixes (``["04"]``) to run; default all.
    force : bool
        Rerun notebooks even when their inputs are unchanged.
    overrides : dict, optional
        Parameter values replacing the defaults of params.yaml.
    lib_dir : path-like, optional
        Library folder whose files count as every notebook's input (default: the package).
    progress : bool
        Show a progress bar (on stderr).
    out : file, optional
        Where to print the list of notebooks and the summary (default stdout).

    Returns
    -------
    RunReport
        Check ``report.ok``; ``report.failure.message`` names notebook, cell and exception.

    Raises
    ------
    ParameterError
        Before anything runs, for an unknown, mistyped or out-of-range parameter.
    """
    out = sys.stdout if out is None else out
    paths = project(root)
    names = _select(discover(paths), only)
    if not names:
        print(f"no notebooks found in {paths.notebooks}; nothing to run", file=out)
        return RunReport([])
    specs = load_specs(paths.params_file)
    values = resolve_parameters(specs, names, overrides or {}, root=paths.root)
    print(f"running {len(names)} notebook(s): {', '.join(names)}", file=out)

    from tqdm.auto import tqdm

    runs: list[NotebookRun] = []
    bar = tqdm(total=len(names), unit="notebook", disable=not progress, file=sys.stderr,
               dynamic_ncols=True)
    try:
        for i, nb in enumerate(names):
            bar.set_description(nb)
            digest = fingerprint(paths, nb, specs[nb], values[nb], lib_dir)
            if not force and _up_to_date(paths, nb, digest):
                runs.append(NotebookRun(nb, "skipped", 0.0, "inputs unchanged since last run",
                                        _read_stamp(paths, nb).get("outputs", [])))
                bar.update(1)
                continue
            (paths.stamps / f"{nb}.json").unlink(missing_ok=True)
            start = time.perf_counter()
            try:
                outputs = _execute(paths, nb, values[nb])
            except KeyboardInterrupt:
                runs.append(NotebookRun(nb, "interrupted", time.perf_counter() - start,
                                        f"notebook {nb} was interrupted; no output of it was kept"))
                runs += [NotebookRun(n, "not run") for n in names[i + 1:]]
                raise
            except Exception as exc:  # papermill's execution error, or a kernel failure
                runs.append(NotebookRun(nb, "failed", time.perf_counter() - start,
                                        _failure_message(nb, exc, paths.executed / f"{nb}.ipynb")))
                runs += [NotebookRun(n, "not run") for n in names[i + 1:]]
                break
            seconds = time.perf_counter() - start
            stamp = {"notebook": nb, "fingerprint": digest, "seconds": round(seconds, 3),
                     "outputs": sorted(outputs)}
            write_text(paths.stamps / f"{nb}.json", json.dumps(stamp, indent=1) + "\n")
            runs.append(NotebookRun(nb, "ran", seconds, "", stamp["outputs"]))
            bar.update(1)
    finally:
        bar.close()
        print(format_summary(runs), file=out)
    return RunReport(runs)


def format_summary(runs: list[NotebookRun]) -> str:
    """A plain-text table: notebook, status, seconds, number of outputs written."""
    if not runs:
        return "no notebooks ran"
    width = max(len("notebook"), *(len(r.notebook) for r in runs))
    lines = [f"{'notebook':<{width}}  {'status':<11}  {'seconds':>8}  outputs",
             f"{'-' * width}  {'-' * 11}  {'-' * 8}  -------"]
    for r in runs:
        secs = f"{r.seconds:8.1f}" if r.status not in ("not run", "skipped") else f"{'-':>8}"
        lines.append(f"{r.notebook:<{width}}  {r.status:<11}  {secs}  {len(r.outputs)}")
    total = sum(r.seconds for r in runs)
    lines.append(f"total {total:.1f} s; "
                 + ", ".join(f"{sum(r.status == s for r in runs)} {s}"
                             for s in ("ran", "skipped", "failed", "interrupted", "not run")
                             if any(r.status == s for r in runs)))
    return "\n".join(lines)


# --- parameter sweeps ------------------------------------------------------------------------

def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """``["n_schools=10,26", "alpha=0.55,0.75"]`` -> ``{"n_schools": [10, 26], ...}``."""
    import yaml

    from .errors import ParameterError

    grid: dict[str, list[Any]] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise ParameterError(f"sweep: {item!r} is not of the form name=v1,v2,...")
        if name in grid:
            raise ParameterError(f"sweep: parameter '{name}' is given twice")
        values = []
        for v in text.split(","):
            try:
                values.append(yaml.safe_load(v))
            except yaml.YAMLError:
                values.append(v)
        grid[name] = values
    if not grid:
        raise ParameterError("sweep: give at least one -p name=v1,v2,... grid")
    return grid


_LABEL_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-"


def _label(value: Any) -> str:
    """How a swept value is spelled in a run's name: exact, unique and reversible.

    A float is spelled by ``repr`` (the shortest text that reads back as the same float), so
    ``0.1`` and ``0.10000000001`` stay apart; ``None`` is ``null``; in text, every character
    other than ASCII letters, digits, ``.``, ``+`` and ``-`` is percent-encoded, so a value
    never contains the ``_`` and ``=`` that separate the parts of a name, nor a ``/``.
    :func:`_unlabel` reads a name back.

    Examples
    --------
    >>> _label(0.1), _label(0.10000000001), _label(26), _label(None), _label("a_b=c/d")
    ('0.1', '0.10000000001', '26', 'null', 'a%5Fb%3Dc%2Fd')
    """
    from urllib.parse import quote

    if value is None:
        return "null"
    if isinstance(value, float):
        return repr(value)
    # quote() never encodes '_' and '~'; '_' separates a name's parts, so encode both
    return quote(str(value), safe=_LABEL_SAFE).replace("_", "%5F").replace("~", "%7E")


def _unlabel(name: str) -> dict[str, str]:
    """The parameters of a run's name (``n_schools=10_alpha=0.55``), each value's exact
    spelling (:func:`_label`), decoded: ``float()`` of a float's spelling is the value.

    Examples
    --------
    >>> _unlabel("n_schools=10_alpha=0.10000000001_name=a%5Fb")
    {'n_schools': '10', 'alpha': '0.10000000001', 'name': 'a_b'}
    """
    import re
    from urllib.parse import unquote

    return {k: unquote(v) for k, v in re.findall(r"(?:^|_)([A-Za-z]\w*?)=([^_=]*)", name)}


MAX_RUNS = 100
"""Most runs a sweep starts unless told otherwise (``--max-runs``, ``max_runs=``)."""


def sweep(notebook: str, grid: dict[str, list[Any]], root: str | os.PathLike | None = None, *,
          workers: int = 2, progress: bool = True, out: TextIO | None = None,
          max_runs: int = MAX_RUNS):
    """Run ``notebook`` once per combination of ``grid`` values, ``workers`` at a time.

    Every value is validated against params.yaml before anything runs (unknown names,
    non-numeric values, values out of range, a value listed twice, and list-valued
    parameters, which cannot be swept, are refused), and so is the grid's size: more than
    ``max_runs`` combinations (default :data:`MAX_RUNS`; ``--max-runs`` on the command line)
    are refused with a message giving the count. Each run gets
    ``output_dir = build/sweeps/<notebook>/<name>`` and its executed copy is
    ``build/sweeps/<notebook>/<name>.ipynb``, where ``<name>`` spells the run's parameters
    exactly (``n_schools=10_alpha=0.55``; :func:`_label`), so two runs never share a folder.
    Each run's ``*summary.csv`` (the one-row result a sweepable notebook writes to its
    ``output_dir``) is collected into ``build/sweeps/<notebook>/results.csv``, written
    atomically; when no run succeeded the previous results.csv is kept as it was. Returns
    ``(table, folder)``: the collected results (with a ``sweep_<name>`` column per swept
    parameter) and that folder.
    """
    import itertools
    from concurrent.futures import ThreadPoolExecutor

    import pandas as pd
    from tqdm.auto import tqdm

    from .errors import ParameterError
    from .outputs import write_csv

    out = sys.stdout if out is None else out
    paths = project(root)
    names = _select(discover(paths), [notebook])
    if len(names) != 1:
        raise ParameterError(f"sweep: '{notebook}' must name exactly one notebook, not {names}")
    nb = names[0]
    specs = load_specs(paths.params_file)
    declared = specs[nb].parameters
    if "output_dir" not in declared:
        raise ParameterError(f"sweep: notebook {nb} has no 'output_dir' parameter, so its runs "
                             "would overwrite each other")
    if isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1:
        raise ParameterError(f"sweep: max_runs must be a whole number of at least 1, not "
                             f"{max_runs!r}")
    count = 1
    for values in grid.values():
        count *= len(values)
    if count > max_runs:
        sizes = " x ".join(f"{len(v)} {k}" for k, v in grid.items())
        raise ParameterError(f"sweep: the grid has {count} combinations ({sizes}), more than "
                             f"the limit of {max_runs} runs; narrow the grid, or raise the limit "
                             f"with --max-runs {count} (max_runs={count} in Python)")
    for name, values in grid.items():
        if name not in declared:
            raise ParameterError(f"sweep: notebook {nb} has no parameter '{name}'; declared: "
                                 f"{sorted(declared)}")
        if declared[name].type == "list" or name == "output_dir":
            raise ParameterError(f"sweep: parameter '{name}' cannot be swept")
        coerced = [declared[name].coerce(v, nb) for v in values]
        spelled = [_label(v) for v in coerced]
        twice = sorted({t for t in spelled if spelled.count(t) > 1})
        if twice:
            given = [repr(v) for v, t in zip(values, spelled, strict=True) if t == twice[0]]
            raise ParameterError(f"sweep: parameter '{name}' lists the value {twice[0]} more "
                                 f"than once (given as {', '.join(given)})")
        grid[name] = coerced
    combos = [dict(zip(grid, vals, strict=True)) for vals in itertools.product(*grid.values())]
    base = paths.build / "sweeps" / nb
    runs = []
    for combo in combos:
        label = "_".join(f"{k}={_label(v)}" for k, v in combo.items())
        values = {**specs[nb].defaults(), **combo,
                  "output_dir": (base / label).relative_to(paths.root).as_posix()}
        resolve_parameters({nb: specs[nb]}, [nb], values, root=paths.root)  # validate each run
        runs.append((label, combo, values))
    print(f"sweep of {nb}: {len(runs)} run(s), {workers} at a time", file=out)

    base.mkdir(parents=True, exist_ok=True)

    def one(run):
        label, combo, values = run
        start = time.perf_counter()
        try:
            _papermill(paths, nb, base / f"{label}.ipynb", values)
            _normalise_executed(base / f"{label}.ipynb", paths.root)
            return NotebookRun(label, "ran", time.perf_counter() - start)
        except Exception as exc:  # one failing run does not stop the others
            return NotebookRun(label, "failed", time.perf_counter() - start,
                               _failure_message(f"{nb} ({label})", exc, base / f"{label}.ipynb"))

    with _environment({ROOT_ENV: str(paths.root), **RUN_ENV}):
        os.environ.pop(STAGE_ENV, None)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(tqdm(pool.map(one, runs), total=len(runs), disable=not progress,
                                unit="run", file=sys.stderr))
    print(format_summary(results), file=out)
    frames = []
    for (label, combo, values), res in zip(runs, results, strict=True):
        found = sorted((paths.root / values["output_dir"]).glob("*summary.csv"))
        if res.status == "ran" and found:
            frames.append(pd.read_csv(found[0]).assign(run=label, **{f"sweep_{k}": v
                                                                      for k, v in combo.items()}))
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    results_csv = base / "results.csv"
    if frames:
        write_csv(table, results_csv)  # atomic: a temporary file renamed over the old one
    failed = [r for r in results if r.status != "ran"]
    if failed:
        kept = ("" if frames else
                f"; no run succeeded, so {results_csv} keeps the previous sweep's results"
                if results_csv.is_file() else "; no run succeeded, so no results.csv was written")
        raise NotebookError(failed[0].message
                            + f"\n  ({len(failed)} of {len(runs)} runs failed{kept})")
    return table, base
