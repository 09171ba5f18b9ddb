"""The one-command pipeline: run the notebooks in order through papermill.

``python -m collabcomm run`` (what ``make reproduce`` calls):

1. finds ``notebooks/NN_*.ipynb`` and runs them in name order;
2. takes each notebook's defaults from ``notebooks/params.yaml``; ``-p name=value`` overrides
   a default in every selected notebook that declares ``name``; ``--only 04`` selects one;
3. validates every parameter of every selected notebook *before* anything runs
   (:func:`collabcomm.pipeline.params.resolve_parameters`);
4. skips a notebook whose inputs have not changed since its last successful run, unless
   ``--force``. A notebook's inputs are its source, its parameter values, every file of the
   ``collabcomm`` package (an edit to lib changes what a notebook computes), the data files
   matched by its ``inputs`` patterns in params.yaml, and any file named by a ``path``
   parameter (:func:`collabcomm.pipeline.plan.fingerprint`);
5. writes the executed copy to ``build/notebooks/``; while a notebook runs, the files it writes
   to the project are staged (:mod:`collabcomm.outputs`) and moved into ``figures/`` and
   ``data/derived/`` only when it succeeds;
6. runs independent notebooks at the same time, at most one per core (``jobs``), in the order
   their data dependencies allow (:func:`collabcomm.pipeline.plan.dependencies`: a notebook
   waits for every earlier notebook whose outputs it reads, as declared by the ``inputs`` and
   ``outputs`` patterns of params.yaml and its ``path`` parameters); the first kernel starts
   as a new interpreter, the later ones are forked from a process that has already imported
   the notebooks' libraries (:mod:`collabcomm.pipeline.forkserver`);
7. when a notebook fails, reports it with one message naming the notebook, the cell and the
   exception, and does not run the notebooks that depend on it; the others still run. The
   partly executed notebook stays in ``build/notebooks/`` for inspection.

A progress bar advances one step per finished notebook and names those running; a summary
table, in notebook order, ends the run with the wall time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from ..outputs import STAGE_ENV, commit_staged, output_lock, write_text
from ..paths import ProjectPaths, project
from .forkserver import ForkServer, available
from .kernel import (
    KERNEL_ARGS,
    KERNEL_NAME,
    RUN_ENV,
    _papermill,
    cache_env,
    kernel_env,
    run_env,
)
from .params import NotebookSpec, load_specs, resolve_parameters
from .plan import (
    _priorities,
    _read_stamp,
    _select,
    _written_folders,
    default_jobs,
    dependencies,
    discover,
    fingerprint,
    output_hashes,
    rerun_reason,
)
from .provenance import stamp
from .report import _PAST, NotebookRun, RunReport, _report, format_summary

__all__ = [
    "KERNEL_NAME",
    "KERNEL_ARGS",
    "RUN_ENV",
    "run_env",
    "cache_env",
    "kernel_env",
    "run",
]


def _error_name(exc: BaseException) -> str:
    """Class name of what failed a notebook: the cell's exception (papermill gives its name as
    ``ename``), else the exception raised in the pipeline itself."""
    return getattr(exc, "ename", None) or type(exc).__name__


def _failure_message(notebook: str, exc: BaseException, executed: Path) -> str:
    """One message naming the notebook, the cell and the exception."""
    from ..errors import OutputWriteError

    cell_index = getattr(exc, "cell_index", None)
    if cell_index is not None:
        where = f"in cell {cell_index + 1} (In [{exc.exec_count}])"
        what = f"{_error_name(exc)}: {exc.evalue}"
    elif isinstance(exc, OutputWriteError):
        return (f"notebook {notebook} failed when its outputs were written: "
                f"OutputWriteError: {exc}\n"
                f"  figures/ and data/derived/ keep the files of the last good run")
    else:
        where = "before its first cell ran"
        what = f"{_error_name(exc)}: {exc}"
    return (
        f"notebook {notebook} failed {where}: {what}\n"
        f"  the partly executed notebook is {executed}\n"
        f"  figures/ and data/derived/ keep the files of the last good run"
    )


def _normalise_executed(path: Path, root: Path) -> None:
    """Make an executed notebook independent of where and when it ran, except timestamps:
    papermill gives the injected-parameters cell a random id and records absolute paths, and
    a cell's printed output arrives in timing-dependent chunks (merged here). The notebook's
    metadata records the code that ran it (``metadata.collabcomm``: version and git commit,
    :func:`~collabcomm.pipeline.provenance.stamp`)."""
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
    nb.setdefault("metadata", {})["collabcomm"] = stamp()  # the code's version and commit
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in ("input_path", "output_path"):
        if meta.get(key):
            p = Path(meta[key])
            meta[key] = p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name
    write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def _execute(paths: ProjectPaths, notebook: str, values: dict[str, Any],
             kernels: dict | None = None, staging: Path | None = None,
             forks: ForkServer | None = None) -> list[str]:
    """Run one notebook with papermill; commit its staged outputs; return them (relative).

    Its outputs are staged in ``staging/<notebook>`` (default ``build/staging``; the pipeline
    gives each run a folder of its own there) and committed all at once when it succeeds.
    """
    paths.executed.mkdir(parents=True, exist_ok=True)
    stage = (paths.staging if staging is None else staging) / notebook
    shutil.rmtree(stage, ignore_errors=True)
    env = {**kernel_env(paths), STAGE_ENV: str(stage)}
    try:
        _papermill(paths, notebook, paths.executed / f"{notebook}.ipynb", values, env, kernels,
                   paths.build / "logs" / f"{notebook}.kernel.log", forks)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        if kernels is not None:
            kernels.pop(notebook, None)
    _normalise_executed(paths.executed / f"{notebook}.ipynb", paths.root)
    committed = commit_staged(stage, paths.root)
    # inside the project: relative to its root; an output_dir elsewhere: the absolute path
    return [(c.relative_to(paths.root) if c.is_relative_to(paths.root) else c).as_posix()
            for c in committed]


def run(root: str | os.PathLike | None = None, *, only: list[str] | None = None,
        force: bool = False, overrides: dict[str, Any] | None = None,
        lib_dir: str | os.PathLike | None = None, progress: bool = True,
        out: TextIO | None = None, jobs: int | None = None) -> RunReport:
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
    jobs : int, optional
        Notebooks run at the same time (default :func:`default_jobs`, one per core). ``1``
        runs them one after another in name order.

    Returns
    -------
    RunReport
        Check ``report.ok``; ``report.failure.message`` names notebook, cell and exception.

    Raises
    ------
    ParameterError
        Before anything runs, for an unknown, mistyped or out-of-range parameter, or a
        ``jobs`` that is not a positive integer.
    """
    from ..errors import ParameterError

    out = sys.stdout if out is None else out
    jobs = default_jobs() if jobs is None else jobs
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs: {jobs!r} is not a positive whole number of notebooks "
                             "to run at once")
    paths = project(root)
    names = _select(discover(paths), only)
    if not names:
        print(f"no notebooks found in {paths.notebooks}; nothing to run", file=out)
        return RunReport([])
    specs = load_specs(paths.params_file)
    values = resolve_parameters(specs, names, overrides or {}, root=paths.root)
    deps = dependencies(paths, specs, names, values)
    jobs = min(jobs, len(names))
    print(f"running {len(names)} notebook(s): {', '.join(names)}"
          + (f" ({jobs} at a time)" if jobs > 1 else ""), file=out)

    from tqdm.auto import tqdm

    bar = tqdm(total=len(names), unit="notebook", disable=not progress, file=sys.stderr,
               dynamic_ncols=True)
    results: dict[str, NotebookRun] = {}
    start_all = time.perf_counter()
    try:
        paths.staging.mkdir(parents=True, exist_ok=True)  # build/ is always locked
        with output_lock(_written_folders(paths, specs, names, values)):
            staging = Path(tempfile.mkdtemp(prefix="run-", dir=paths.staging))
            try:
                _schedule(paths, names, deps, specs, values, force=force, lib_dir=lib_dir,
                          jobs=jobs, results=results, bar=bar, staging=staging)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
    except KeyboardInterrupt as exc:
        exc.report = _report(names, results, start_all)  # for the one-line message
        raise
    finally:
        bar.close()
        report = _report(names, results, start_all)
        print(format_summary(report.runs, report.wall), file=out)
    return report


def _schedule(paths: ProjectPaths, names: list[str], deps: dict[str, list[str]],
              specs: dict[str, NotebookSpec], values: dict[str, dict[str, Any]], *,
              force: bool, lib_dir, jobs: int, results: dict[str, NotebookRun], bar,
              staging: Path | None = None) -> None:
    """Run ``names`` respecting ``deps``, ``jobs`` at a time; fill ``results``.

    A notebook is checked for being up to date only when everything it waits for has
    finished, since its fingerprint covers the files they write. A notebook whose dependency
    did not succeed is not run, with a message naming that dependency. On Ctrl-C, the running
    kernels are interrupted, their staged outputs dropped, and ``KeyboardInterrupt`` re-raised.
    """
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    priority = _priorities(paths, names, deps)
    waiting = list(names)
    running: dict[Any, tuple[str, str, float]] = {}  # future -> (notebook, digest, start)
    kernels: dict[str, Any] = {}
    digests: dict[str, str] = {}
    reasons: dict[str, str] = {}  # why a notebook with unchanged inputs ran again

    def settle(nb: str, run: NotebookRun) -> None:
        results[nb] = run
        bar.update(1)

    def describe() -> None:
        bar.set_description(", ".join(sorted(nb for nb, _, _ in running.values())) or "done")

    forks: ForkServer | None = None  # forks the kernels (collabcomm.pipeline.forkserver)
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="notebook")
    try:
        while waiting or running:
            progressed = True
            while progressed:  # settle what can be settled without running anything
                progressed = False
                for nb in list(waiting):
                    bad = [d for d in deps[nb] if d in results
                           and results[d].status not in ("ran", "skipped")]
                    if bad:
                        waiting.remove(nb)
                        settle(nb, NotebookRun(nb, "not run", 0.0, f"not run: it needs "
                                               f"{bad[0]}, which {_PAST[results[bad[0]].status]}"))
                        progressed = True
                ready = [nb for nb in waiting if all(d in results for d in deps[nb])]
                ready.sort(key=lambda nb: (-priority[nb], names.index(nb)))
                for nb in ready:
                    # a ready notebook's inputs are final (whatever writes them has finished),
                    # so it is hashed once, not again each time it waits for a free core
                    if nb not in digests:
                        digests[nb] = fingerprint(paths, nb, specs[nb], values[nb], lib_dir)
                    digest = digests[nb]
                    reason = "" if force else rerun_reason(paths, nb, digest)
                    if reason is None:
                        waiting.remove(nb)
                        settle(nb, NotebookRun(nb, "skipped", 0.0,
                                               "inputs unchanged since last run",
                                               _read_stamp(paths, nb).get("outputs", [])))
                        progressed = True
                        continue
                    if len(running) >= jobs:
                        break
                    waiting.remove(nb)
                    (paths.stamps / f"{nb}.json").unlink(missing_ok=True)
                    future = pool.submit(_execute, paths, nb, values[nb], kernels, staging,
                                         forks)
                    if forks is None and waiting and available():
                        # the first kernel starts as usual, the fork server beside it (its
                        # imports take as long as a kernel's), and it forks the next ones
                        forks = ForkServer({**os.environ, **kernel_env(paths)}, paths.notebooks,
                                           paths.build / "logs" / "forkserver.log").start()
                    running[future] = (nb, digest, time.perf_counter())
                    if reason:
                        reasons[nb] = f"{reason}; rerunning"
            describe()
            if not running:
                continue
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: names.index(running[f][0])):
                nb, digest, start = running.pop(future)
                seconds = time.perf_counter() - start
                try:
                    outputs = future.result()
                except Exception as exc:  # papermill's execution error, or a kernel failure
                    settle(nb, NotebookRun(nb, "failed", seconds, _failure_message(
                        nb, exc, paths.executed / f"{nb}.ipynb"), error=_error_name(exc)))
                    continue
                stamp = {"notebook": nb, "fingerprint": digest, "seconds": round(seconds, 3),
                         "outputs": sorted(outputs),
                         "hashes": output_hashes(paths.root, sorted(outputs))}
                write_text(paths.stamps / f"{nb}.json", json.dumps(stamp, indent=1) + "\n")
                settle(nb, NotebookRun(nb, "ran", seconds, reasons.get(nb, ""),
                                       stamp["outputs"]))
            describe()
    except KeyboardInterrupt:
        _interrupt(kernels)
        for future, (nb, _, start) in running.items():
            with contextlib.suppress(BaseException):
                future.result(timeout=60)  # the kernel stops; _execute drops its staging
            results[nb] = NotebookRun(nb, "interrupted", time.perf_counter() - start,
                                      f"notebook {nb} was interrupted; no output of it was "
                                      "kept")
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        if forks is not None:
            forks.close()


def _interrupt(kernels: dict[str, Any]) -> None:
    """Stop the running kernels (Ctrl-C in a terminal reaches them too; a signal sent to this
    process alone does not). Their notebooks then fail and drop their staged outputs."""
    import signal

    for km in list(kernels.values()):
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
