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
6. runs independent notebooks at the same time, at most one per core (``jobs``), in the order
   their data dependencies allow (:func:`dependencies`: a notebook waits for every earlier
   notebook whose outputs it reads, as declared by the ``inputs`` and ``outputs`` patterns of
   params.yaml and its ``path`` parameters);
7. when a notebook fails, reports it with one message naming the notebook, the cell and the
   exception, and does not run the notebooks that depend on it; the others still run. The
   partly executed notebook stays in ``build/notebooks/`` for inspection.

A progress bar advances one step per finished notebook and names those running; a summary
table, in notebook order, ends the run with the wall time.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .errors import NotebookError
from .outputs import STAGE_ENV, commit_staged, output_lock, write_text
from .params import NotebookSpec, load_specs, resolve_parameters
from .paths import ROOT_ENV, SINGLE_BLAS_THREAD, ProjectPaths, package_dir, project

__all__ = [
    "KERNEL_NAME",
    "parse_grid",
    "sweep",
    "NotebookRun",
    "RunReport",
    "discover",
    "dependencies",
    "default_jobs",
    "fingerprint",
    "run",
    "format_summary",
    "interrupted_message",
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


def run_env() -> dict[str, str]:
    """What the pipeline adds to a kernel's environment: :data:`RUN_ENV`, and one BLAS thread
    (:data:`collabcomm.paths.SINGLE_BLAS_THREAD`, one notebook per core) for each thread
    variable the environment does not already set. The thread count is only a default: the
    outputs do not depend on it (``make test-matrix`` runs the pipeline with two BLAS threads
    too), and a user may set ``OPENBLAS_NUM_THREADS`` to choose another."""
    return {**RUN_ENV, **{k: v for k, v in SINGLE_BLAS_THREAD.items() if k not in os.environ}}



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
    """The result of :func:`run`: one :class:`NotebookRun` per selected notebook, in notebook
    order, and the run's wall-clock time."""

    runs: list[NotebookRun]
    wall: float = 0.0

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


def _overlap(a: str, b: str, root: Path) -> bool:
    """Whether two project-relative glob patterns can name the same file: one matches the
    other as text (``data/derived/*.csv`` and ``data/derived/exhibit4_fits.csv``), or an existing
    file matches both."""
    if fnmatch.fnmatchcase(a, b) or fnmatch.fnmatchcase(b, a):
        return True
    return any(fnmatch.fnmatchcase(p.relative_to(root).as_posix(), b) for p in root.glob(a))


def _reads(paths: ProjectPaths, spec: NotebookSpec, values: dict[str, Any]) -> list[str]:
    """A notebook's input patterns: its ``inputs``, and the files its ``path`` parameters name
    (as project-relative paths where they lie inside the project)."""
    reads = list(spec.inputs)
    for name, pspec in spec.parameters.items():
        if pspec.type == "path" and values.get(name):
            p = Path(values[name])
            p = p if p.is_absolute() else paths.root / p
            if p.resolve().is_relative_to(paths.root.resolve()):
                reads.append(p.resolve().relative_to(paths.root.resolve()).as_posix())
    return reads


def dependencies(paths: ProjectPaths, specs: dict[str, NotebookSpec], names: list[str],
                 values: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """For each notebook of ``names``, the earlier ones it must wait for.

    Notebook B waits for an earlier notebook A when a file can be both an output of A and an
    input of B (the ``inputs`` and ``outputs`` patterns of params.yaml, and B's ``path``
    parameters). It also waits when B writes what A reads or writes, so that running them
    concurrently never changes what either sees: the result is always that of running the
    notebooks one after another in name order. Notebooks not in ``names`` are not waited for;
    their files are read as they are.
    """
    reads = {nb: _reads(paths, specs[nb], values[nb]) for nb in names}
    writes = {nb: list(specs[nb].outputs) for nb in names}

    def touches(xs, ys):
        return any(_overlap(x, y, paths.root) for x in xs for y in ys)

    deps: dict[str, list[str]] = {}
    for i, b in enumerate(names):
        deps[b] = [a for a in names[:i]
                   if touches(writes[a], reads[b]) or touches(reads[a], writes[b])
                   or touches(writes[a], writes[b])]
    return deps


def default_jobs() -> int:
    """Notebooks run at once by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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


def _failure_message(notebook: str, exc: BaseException, executed: Path) -> str:
    """One message naming the notebook, the cell and the exception."""
    from .errors import OutputWriteError

    cell_index = getattr(exc, "cell_index", None)
    if cell_index is not None:
        where = f"in cell {cell_index + 1} (In [{exc.exec_count}])"
        what = f"{exc.ename}: {exc.evalue}"
    elif isinstance(exc, OutputWriteError):
        return (f"notebook {notebook} failed when its outputs were written: "
                f"OutputWriteError: {exc}\n"
                f"  figures/ and data/derived/ keep the files of the last good run")
    else:
        where = "before its first cell ran"
        what = f"{type(exc).__name__}: {exc}"
    return (
        f"notebook {notebook} failed {where}: {what}\n"
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


def _kernel_manager(env: dict[str, str], cwd: Path, kernels: dict | None, key: str,
                    log: Path | None = None):
    """A jupyter_client kernel manager class whose kernels start with ``env`` and in ``cwd``.

    Papermill runs several notebooks at once in threads of one process, so a notebook's
    environment (its staging folder) and working folder cannot be set through the process's
    ``os.environ`` and current folder, which every thread shares; they are handed to the
    kernel's launch instead (``start_kernel(env=..., cwd=...)``, documented by jupyter_client).
    When ``kernels`` is given, the running kernel's manager is kept there under ``key`` so that
    an interrupted run can stop it. When ``log`` is given, the kernel process's own output
    (not its cells', which papermill records in the notebook) goes to that file instead of the
    terminal: a Ctrl-C there reaches the kernels too, and each would print its traceback.
    """
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**os.environ, **env}
            kw["cwd"] = str(cwd)
            if log is None:
                await super().start_kernel(**kw)
            else:
                log.parent.mkdir(parents=True, exist_ok=True)
                with open(log, "wb") as fh:  # the kernel keeps its own copy of the handle
                    await super().start_kernel(stdout=fh, stderr=fh, **kw)
            if kernels is not None:
                kernels[key] = self

    return Manager


def _papermill(paths: ProjectPaths, notebook: str, target: Path, values: dict[str, Any],
               env: dict[str, str] | None = None, kernels: dict | None = None,
               log: Path | None = None) -> None:
    """Execute ``notebooks/<notebook>.ipynb`` into ``target`` with papermill.

    The kernel runs in ``notebooks/`` with ``env`` added to this process's environment
    (default: the project root and :func:`run_env`); see :func:`_kernel_manager`.

    The kernel starts with its own log level at CRITICAL (``KERNEL_ARGS``): ipykernel >= 7 logs
    a warning about TCP transport on every start, and jupyter_client interrupts every kernel it
    shuts down, which the kernel logs as an ERROR ("KeyboardInterrupt caught in kernel") when
    the interrupt lands while it is still busy, as happens on a loaded machine; both would break
    the progress bar. Errors raised by cells reach us through papermill, and a kernel that dies
    raises papermill's DeadKernelError, neither through the kernel's log, so none is hidden.
    """
    import logging

    import papermill as pm

    # nbclient reports a kernel that died (as at Ctrl-C) on papermill's logger as well as by
    # the DeadKernelError that reaches the run's failure message; without a handler of its
    # own, Python would print the log line to the terminal beside the run's one message
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    env = {ROOT_ENV: str(paths.root), **run_env()} if env is None else env
    pm.execute_notebook(
        str(paths.notebooks / f"{notebook}.ipynb"),
        str(target),
        parameters=values,
        kernel_name=KERNEL_NAME,
        progress_bar=False,
        log_output=False,
        extra_arguments=KERNEL_ARGS,
        kernel_manager_class=_kernel_manager(env, paths.notebooks, kernels, notebook, log),
    )


def _execute(paths: ProjectPaths, notebook: str, values: dict[str, Any],
             kernels: dict | None = None, staging: Path | None = None) -> list[str]:
    """Run one notebook with papermill; commit its staged outputs; return them (relative).

    Its outputs are staged in ``staging/<notebook>`` (default ``build/staging``; the pipeline
    gives each run a folder of its own there) and committed all at once when it succeeds.
    """
    paths.executed.mkdir(parents=True, exist_ok=True)
    stage = (paths.staging if staging is None else staging) / notebook
    shutil.rmtree(stage, ignore_errors=True)
    env = {ROOT_ENV: str(paths.root), STAGE_ENV: str(stage), **run_env()}
    try:
        _papermill(paths, notebook, paths.executed / f"{notebook}.ipynb", values, env, kernels,
                   paths.build / "logs" / f"{notebook}.kernel.log")
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    finally:
        if kernels is not None:
            kernels.pop(notebook, None)
    _normalise_executed(paths.executed / f"{notebook}.ipynb", paths.root)
    committed = commit_staged(stage, paths.root)
    return [c.relative_to(paths.root).as_posix() for c in committed]


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
    from .errors import ParameterError

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


def _report(names: list[str], results: dict[str, NotebookRun], start: float) -> RunReport:
    return RunReport([results.get(nb, NotebookRun(nb, "not run")) for nb in names],
                     time.perf_counter() - start)


def interrupted_message(report: RunReport | None) -> str:
    """The one line printed when a run is interrupted (Ctrl-C).

    Examples
    --------
    >>> interrupted_message(RunReport([NotebookRun("03_school_data", "interrupted"),
    ...                                NotebookRun("04_regressions", "not run")]))
    'interrupted: 03_school_data stopped; none of its outputs were written'
    >>> interrupted_message(None)
    'interrupted: no output was half-written'
    """
    stopped = [r.notebook for r in (report.runs if report else []) if r.status == "interrupted"]
    if not stopped:
        return "interrupted: no output was half-written"
    its = "its" if len(stopped) == 1 else "their"
    return f"interrupted: {', '.join(stopped)} stopped; none of {its} outputs were written"


#: How a notebook that others need ended, as the reason they were not run.
_PAST = {"failed": "failed", "interrupted": "was interrupted", "not run": "was not run"}


def _written_folders(paths: ProjectPaths, specs: dict[str, NotebookSpec], names: list[str],
                     values: dict[str, dict[str, Any]]) -> list[Path]:
    """The folders a run writes into, to be locked while it runs: ``build/`` (staging, stamps,
    executed notebooks), the first-level folders of the notebooks' declared outputs
    (``data/derived``, ``figures``), and any ``output_dir`` a parameter names."""
    folders = {paths.build}
    for nb in names:
        for pattern in specs[nb].outputs:
            parts = Path(pattern).parts
            folders.add(paths.root.joinpath(*parts[:-1]) if len(parts) > 1 else paths.root)
        if values[nb].get("output_dir"):
            folders.add(paths.root / values[nb]["output_dir"])
    return sorted(folders)


def _priorities(paths: ProjectPaths, names: list[str], deps: dict[str, list[str]]
                ) -> dict[str, float]:
    """Each notebook's longest chain of work to the end of the run, in seconds, with each
    notebook's time taken from its last stamp (1 s if it has none): a free core takes the
    ready notebook with the longest chain behind it, so the critical path starts first."""
    cost = {nb: float((_read_stamp(paths, nb) or {}).get("seconds", 1.0)) for nb in names}
    users = {nb: [b for b in names if nb in deps[b]] for nb in names}
    chain: dict[str, float] = {}
    for nb in reversed(names):  # dependants come later in name order
        chain[nb] = cost[nb] + max((chain[u] for u in users[nb]), default=0.0)
    return chain


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

    def settle(nb: str, run: NotebookRun) -> None:
        results[nb] = run
        bar.update(1)

    def describe() -> None:
        bar.set_description(", ".join(sorted(nb for nb, _, _ in running.values())) or "done")

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
                    digest = fingerprint(paths, nb, specs[nb], values[nb], lib_dir)
                    if not force and _up_to_date(paths, nb, digest):
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
                    future = pool.submit(_execute, paths, nb, values[nb], kernels, staging)
                    running[future] = (nb, digest, time.perf_counter())
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
                        nb, exc, paths.executed / f"{nb}.ipynb")))
                    continue
                stamp = {"notebook": nb, "fingerprint": digest, "seconds": round(seconds, 3),
                         "outputs": sorted(outputs)}
                write_text(paths.stamps / f"{nb}.json", json.dumps(stamp, indent=1) + "\n")
                settle(nb, NotebookRun(nb, "ran", seconds, "", stamp["outputs"]))
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


def _interrupt(kernels: dict[str, Any]) -> None:
    """Stop the running kernels (Ctrl-C in a terminal reaches them too; a signal sent to this
    process alone does not). Their notebooks then fail and drop their staged outputs."""
    import signal

    for km in list(kernels.values()):
        pid = getattr(getattr(km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def format_summary(runs: list[NotebookRun], wall: float | None = None) -> str:
    """A plain-text table: notebook, status, seconds, number of outputs written; then the wall
    time (when given) and the count of each status. A notebook that was not run because a
    notebook it needs failed says so below the table."""
    if not runs:
        return "no notebooks ran"
    width = max(len("notebook"), *(len(r.notebook) for r in runs))
    lines = [f"{'notebook':<{width}}  {'status':<11}  {'seconds':>8}  outputs",
             f"{'-' * width}  {'-' * 11}  {'-' * 8}  -------"]
    for r in runs:
        secs = f"{r.seconds:8.1f}" if r.status not in ("not run", "skipped") else f"{'-':>8}"
        lines.append(f"{r.notebook:<{width}}  {r.status:<11}  {secs}  {len(r.outputs)}")
    busy = sum(r.seconds for r in runs)
    counts = ", ".join(f"{sum(r.status == s for r in runs)} {s}"
                       for s in ("ran", "skipped", "failed", "interrupted", "not run")
                       if any(r.status == s for r in runs))
    if wall is None:
        lines.append(f"total {busy:.1f} s; {counts}")
    else:
        lines.append(f"wall time {wall:.1f} s; total of the notebooks' own times {busy:.1f} s; "
                     f"{counts}")
    lines += [f"  {r.notebook}: {r.message}" for r in runs
              if r.status == "not run" and r.message]
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

    # each kernel gets the project root and run_env(), no staging folder (_papermill); the lock
    # keeps a second sweep of the same notebook out of these folders until this one ends
    with output_lock([base]), ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
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
