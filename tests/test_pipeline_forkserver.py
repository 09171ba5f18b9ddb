"""Kernels forked from a process that has already imported the notebooks' libraries
(collabcomm.pipeline.forkserver): what a forked kernel sees, when the server refuses and the
kernel starts as a new interpreter, and the server's lifetime."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import make_project

from collabcomm import pipeline
from collabcomm.outputs import STAGE_ENV
from collabcomm.paths import project
from collabcomm.pipeline import forkserver
from collabcomm.pipeline.forkserver import ForkedProcess, ForkServer
from collabcomm.pipeline.kernel import _papermill, kernel_env

pytestmark = [pytest.mark.notebooks,
              pytest.mark.skipif(not forkserver.available(), reason="needs fork and pidfd")]

PROBE = f"STAGE = {STAGE_ENV!r}\n" + """\
import json, os, sys
print(json.dumps({"ppid": os.getppid(), "cwd": os.getcwd(), "pgid": os.getpgid(0),
                  "pid": os.getpid(), "stage": os.environ.get(STAGE),
                  "preloaded": [m in sys.modules for m in ("pandas", "scipy.stats",
                                                           "matplotlib.pyplot", "collabcomm")],
                  "path0": sys.path[0]}))
"""


def _probe(target: Path) -> dict:
    """What the probe notebook's kernel printed."""
    cells = json.loads(target.read_text())["cells"]
    return json.loads("".join(cells[0]["outputs"][0]["text"]))


def _project(tmp_path: Path):
    """A project with the probe notebook."""
    paths = project(tmp_path / "fork")
    paths.notebooks.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3",
                              "language": "python"}
    nbformat.write(nb, paths.notebooks / "probe.ipynb")
    return paths


def _server(paths) -> ForkServer:
    """A fork server for the probe project, started in the test itself (not a fixture: pytest
    changes PYTEST_CURRENT_TEST between a fixture's setup and the test, and a fork refuses
    any difference of environment)."""
    return ForkServer({**os.environ, **kernel_env(paths)}, paths.notebooks,
                      paths.build / "logs" / "forkserver.log")


def test_a_forked_kernel_has_the_launchs_environment_folder_and_session(tmp_path):
    paths = _project(tmp_path)
    target = tmp_path / "probe.out.ipynb"
    log = tmp_path / "probe.kernel.log"
    with _server(paths) as forks:
        _papermill(paths, "probe", target, {},
                   {**kernel_env(paths), STAGE_ENV: "/stage/probe"}, None, log, forks)
        seen, server_pid = _probe(target), forks.process.pid
    assert seen["ppid"] == server_pid  # forked by the server, not started by us
    assert seen["pgid"] == seen["pid"]  # a session of its own, as jupyter_client's launch
    assert seen["cwd"] == str(paths.notebooks)
    assert seen["stage"] == "/stage/probe"  # the one variable that differs per notebook
    assert seen["preloaded"] == [True, True, True, True]  # before the notebook imported any
    assert Path(seen["path0"]) != paths.notebooks  # as ipykernel_launcher: no cwd in front
    assert log.is_file()


def test_a_launch_whose_environment_differs_starts_a_new_interpreter(tmp_path):
    # a variable read at import (here the BLAS thread count) cannot be changed in a fork
    paths = _project(tmp_path)
    target = tmp_path / "probe.out.ipynb"
    env = {**kernel_env(paths), STAGE_ENV: "/stage/x", "OPENBLAS_NUM_THREADS": "3"}
    with _server(paths) as forks:
        _papermill(paths, "probe", target, {}, env, None, tmp_path / "k.log", forks)
        seen = _probe(target)
    assert seen["ppid"] == os.getpid()  # launched by this process's kernel manager
    assert seen["preloaded"][0] is False
    assert forks.failure is None  # a refusal is not a failure of the server


def _argv():
    return [sys.executable, "-m", "ipykernel_launcher", "-f", "/tmp/c.json"]


@pytest.mark.parametrize("argv, env, fragment", [
    (["/usr/bin/python3", "-m", "other"], {}, "not an ipykernel command line"),
    (["/no/such/python", "-m", "ipykernel_launcher"], {}, "another interpreter"),
    (None, {"MPLBACKEND": "svg"}, "differs from the fork server's in MPLBACKEND"),
    (None, {"COLLABCOMM_NEW": "1"}, "differs from the fork server's in COLLABCOMM_NEW"),
])
def test_the_server_refuses_what_a_fork_would_change(argv, env, fragment):
    request = {"argv": argv or _argv(), "env": {**os.environ, **env}}
    assert fragment in forkserver._refusal(request)


def test_the_server_forks_for_a_per_kernel_difference_only():
    env = {**os.environ, STAGE_ENV: "/stage/y", "JPY_PARENT_PID": "1"}
    env.pop("JPY_SESSION_NAME", None)
    assert forkserver._refusal({"argv": _argv(), "env": env}) is None


def test_a_forked_process_reports_exit_and_takes_signals():
    proc = subprocess.Popen(["sleep", "60"])
    handle = ForkedProcess(proc.pid)
    assert handle.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        handle.wait(timeout=0.05)
    handle.kill()
    assert proc.wait(timeout=10) == -signal.SIGKILL
    assert handle.wait(timeout=10) == 0 and handle.poll() == 0
    handle.kill()  # a signal to a process that has ended is dropped, not an error


def test_a_process_that_is_gone_counts_as_ended():
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert ForkedProcess(proc.pid).poll() == 0


def test_a_server_that_died_is_reported_once_and_not_asked_again(tmp_path):
    forks = ForkServer(dict(os.environ), tmp_path, tmp_path / "server.log").start()
    folder = Path(forks.socket_path).parent
    try:
        forks.process.kill()
        forks.process.wait()
        with pytest.raises(OSError, match="the fork server exited; see .*server.log"):
            forks.spawn(_argv(), dict(os.environ), tmp_path, None)
        started = time.monotonic()
        with pytest.raises(OSError, match="not available"):
            forks.spawn(_argv(), dict(os.environ), tmp_path, None)
        assert time.monotonic() - started < 1
    finally:
        forks.close()
    assert forks.process is None and not folder.exists()


def test_the_server_ends_with_the_pipeline_and_leaves_no_socket(tmp_path):
    forks = ForkServer(dict(os.environ), tmp_path, tmp_path / "server.log").start()
    folder = Path(forks.socket_path).parent
    forks.process.stdin.close()  # as when the pipeline's process dies
    assert forks.process.wait(timeout=120) == 0
    forks.close()
    assert not folder.exists()


def test_fork_off_turns_the_server_off(monkeypatch):
    monkeypatch.setenv(forkserver.FORK_ENV, "off")
    assert not forkserver.available()
    monkeypatch.setenv(forkserver.FORK_ENV, "")
    assert forkserver.available()


PIDS = 'import json, os\nprint(json.dumps({"ppid": os.getppid()}))\n'


def test_the_pipeline_starts_its_first_kernel_and_forks_the_others(tmp_path):
    notebooks = {f"0{i}_n{i}": ("", PIDS) for i in (1, 2, 3)}
    params = "notebooks:\n" + "".join(f"  {nb}: {{}}\n" for nb in notebooks)
    root = make_project(tmp_path / "proj", notebooks, params)
    lib = tmp_path / "lib"
    lib.mkdir()
    report = pipeline.run(root, lib_dir=lib, progress=False, out=io.StringIO(), jobs=1)
    assert report.ok, report.failure and report.failure.message
    parents = []
    for nb in notebooks:
        cells = json.loads((root / "build/notebooks" / f"{nb}.ipynb").read_text())["cells"]
        text = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
        parents.append(json.loads(text.strip().splitlines()[-1])["ppid"])
    assert parents[0] == os.getpid()  # the first kernel: a new interpreter, while the server
    assert parents[1] == parents[2] != os.getpid()  # imports; the others: forked by it
    assert (root / "build/logs/forkserver.log").read_text().count("forked kernel ") == 2


def test_a_server_that_stops_answering_is_given_up_on(tmp_path, monkeypatch):
    import socket

    monkeypatch.setattr(forkserver, "_START_TIMEOUT", 0.5)
    forks = ForkServer(dict(os.environ), tmp_path, tmp_path / "server.log")
    forks._dir = str(tmp_path)
    forks.process = subprocess.Popen(["sleep", "60"], stdin=subprocess.PIPE)
    mute = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mute.bind(forks.socket_path)
    mute.listen(1)  # accepts, never answers
    try:
        with pytest.raises(OSError, match="not available: timed out"):
            forks.spawn(_argv(), dict(os.environ), tmp_path, None)
    finally:
        mute.close()
        forks.close()


SIGNALS = """\
import json, signal
print(json.dumps({s.name: str(signal.getsignal(s)) for s in
                  (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD)}))
"""


def test_a_forked_kernel_handles_signals_as_a_new_interpreter_does(tmp_path):
    paths = _project(tmp_path)
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SIGNALS)],
                                            metadata={"kernelspec": {"name": "python3",
                                                                   "display_name": "Python 3",
                                                                   "language": "python"}}),
                   paths.notebooks / "signals.ipynb")
    env = {**kernel_env(paths), STAGE_ENV: "/stage/s"}
    _papermill(paths, "signals", tmp_path / "new.ipynb", {}, env, None, tmp_path / "a.log")
    with _server(paths) as forks:
        _papermill(paths, "signals", tmp_path / "forked.ipynb", {}, env, None,
                   tmp_path / "b.log", forks)
    assert forks.log.read_text().count("forked kernel ") == 1
    seen = _probe(tmp_path / "forked.ipynb")
    assert seen == _probe(tmp_path / "new.ipynb")
    assert seen["SIGPIPE"] == str(signal.SIG_IGN)  # as Python sets it, not the default
