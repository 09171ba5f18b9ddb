"""How the pipeline starts a notebook's kernel and runs the notebook in it through papermill.

A kernel's environment (:func:`kernel_env`: the project root, :data:`RUN_ENV`, one BLAS thread,
the disk cache, and the notebook's staging folder) and working folder are handed to its launch
(:func:`_kernel_manager`), since papermill runs several notebooks at once in threads of one
process. The kernel is forked from the run's fork server when there is one
(:mod:`collabcomm.pipeline.forkserver`), else started as a new interpreter.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from ..memo import CACHE_ENV
from ..paths import ROOT_ENV, SINGLE_BLAS_THREAD, ProjectPaths
from .engine import engine_name
from .forkserver import ForkServer

__all__ = ["KERNEL_NAME", "KERNEL_ARGS", "RUN_ENV", "run_env", "cache_env", "kernel_env"]

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


def cache_env(paths: ProjectPaths) -> dict[str, str]:
    """The disk cache of the slow pure functions (:mod:`collabcomm.memo`) for the kernels of a
    run: ``build/cache`` of the run's project, unless the environment already names a folder
    or turns it off (``COLLABCOMM_CACHE=off``), which the kernels then inherit."""
    return {} if CACHE_ENV in os.environ else {CACHE_ENV: str(paths.build / "cache")}


def kernel_env(paths: ProjectPaths) -> dict[str, str]:
    """What the pipeline adds to the environment of every kernel of a run: the project root,
    :func:`run_env` and :func:`cache_env` (each notebook adds its staging folder)."""
    return {ROOT_ENV: str(paths.root), **run_env(), **cache_env(paths)}



def _kernel_manager(env: dict[str, str], cwd: Path, kernels: dict | None, key: str,
                    log: Path | None = None, forks: ForkServer | None = None):
    """A jupyter_client kernel manager class whose kernels start with ``env`` and in ``cwd``.

    Papermill runs several notebooks at once in threads of one process, so a notebook's
    environment (its staging folder) and working folder cannot be set through the process's
    ``os.environ`` and current folder, which every thread shares; they are handed to the
    kernel's launch instead (``start_kernel(env=..., cwd=...)``, documented by jupyter_client).
    When ``kernels`` is given, the running kernel's manager is kept there under ``key`` so that
    an interrupted run can stop it. When ``log`` is given, the kernel process's own output
    (not its cells', which papermill records in the notebook) goes to that file instead of the
    terminal: a Ctrl-C there reaches the kernels too, and each would print its traceback.
    When ``forks`` is given, the kernel is forked by that server
    (:mod:`collabcomm.pipeline.forkserver`) instead of started as a new interpreter, unless
    the server cannot or will not (then it starts as usual).
    """
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            process = None
            if forks is not None:
                with contextlib.suppress(OSError):  # the server cannot or will not
                    process = forks.spawn(kernel_cmd, kw["env"], kw["cwd"], log)
            if process is None:  # a new interpreter
                await super()._async_launch_kernel(kernel_cmd, **kw)
                return
            prov = self.provisioner  # what LocalProvisioner.launch_kernel records
            prov.process, prov.pid, prov.pgid = process, process.pid, process.pid
            prov.cwd = kw["cwd"]
            self._reconcile_connection_info(prov.connection_info)

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
               log: Path | None = None, forks: ForkServer | None = None) -> None:
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
        kernel_manager_class=_kernel_manager(env, paths.notebooks, kernels, notebook, log,
                                             forks),
        engine_name=engine_name(),  # papermill's engine, saving every 10 s instead of every cell
    )
