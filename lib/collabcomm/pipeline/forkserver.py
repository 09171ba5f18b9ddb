"""Kernels forked from one process that has already imported what the notebooks import.

Every notebook runs in a kernel of its own, and each kernel used to start a fresh interpreter
that imported ipykernel, pandas, matplotlib, SciPy, statsmodels and this package again: about
3 s of one core per notebook, seven times per run, on a 2-core machine a third of a forced run.
A fork server imports them once (:func:`preload`) and then forks: a forked child shares the
parent's loaded modules (copy on write) and only has to start the kernel itself.

:class:`ForkServer` is the pipeline's side: it starts the server (:func:`main`, in a new
interpreter) with the run's environment, and :meth:`ForkServer.spawn`
asks it, over a Unix socket, to fork a kernel for a command line that jupyter_client built
(``python -m ipykernel_launcher -f CONNECTION_FILE ...``). The child becomes that kernel exactly
as ``ipykernel_launcher`` would (:func:`_become_kernel`): a session of its own, the working
folder, the environment and the log file of the launch, and the server as the parent it
watches (``JPY_PARENT_PID``: a kernel whose parent dies ends itself). :class:`ForkedProcess` gives jupyter_client the ``Popen``
methods it uses (``poll``, ``wait``, ``send_signal``, ``kill``, ``terminate``) for a process
that is not its child, through a Linux pidfd.

What a kernel computes does not depend on how it started: the modules a notebook imports are
the same files, imported in the same interpreter with the same settings, and the server
refuses a launch whose environment differs from its own in anything but :data:`PER_KERNEL`
(what the pipeline sets per notebook: its staging folder), since a variable such as
``OPENBLAS_NUM_THREADS`` or ``MPLBACKEND`` takes effect at import. A refused or failed fork
falls back to the ordinary launch (:func:`collabcomm.pipeline.kernel._kernel_manager`), and so
does a platform without ``fork`` and ``pidfd_open`` (Linux >= 5.3). ``COLLABCOMM_FORK=off``
turns the server off.

The first kernel of a run is started as a new interpreter while the server imports (both take
about as long), and the server forks the later ones; a run of one notebook starts no server.
Its log (``build/logs/forkserver.log``) names every kernel it forked and every launch it
refused.

Measured on 2 cores (AMD EPYC, quiet, ``build/cache`` warm, median of 3 whole runs): a forced
run of the seven notebooks took 31.1 s of wall time and 55 s of CPU with a new interpreter per
kernel, and 20.1 s and 35 s with forked kernels, every written byte the same.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..outputs import STAGE_ENV

__all__ = ["FORK_ENV", "PER_KERNEL", "KERNEL_MODULES", "available", "import_set", "preload",
           "ForkServer", "ForkedProcess", "serve", "main"]

FORK_ENV = "COLLABCOMM_FORK"
"""Set to ``off`` (or ``0``, ``no``, ``false``) to start every kernel as a fresh interpreter."""

PER_KERNEL = frozenset({STAGE_ENV, "JPY_PARENT_PID", "JPY_SESSION_NAME"})
"""Environment variables a forked kernel may have other values of than the server: read when a
notebook writes (its staging folder) or by the kernel at start, never at import."""

KERNEL_MODULES = (
    "ipykernel_launcher",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "matplotlib_inline.backend_inline",
    "papermill",
    "nbclient",
)
"""What starting a kernel and running a notebook through papermill imports, beside the
notebooks' own imports: the kernel, its inline figures, and the papermill side."""

_COMMAND = "import sys; from collabcomm.pipeline.forkserver import main; sys.exit(main())"
_START_TIMEOUT = 120.0  # seconds to wait for the server's imports before giving up on it


def available() -> bool:
    """Whether kernels can be forked here: ``fork`` and ``pidfd_open`` exist, and
    :data:`FORK_ENV` does not turn it off."""
    if os.environ.get(FORK_ENV, "").strip().lower() in {"off", "0", "no", "false"}:
        return False
    return hasattr(os, "fork") and hasattr(os, "pidfd_open") and sys.platform == "linux"


def import_set() -> list[str]:
    """Every module of ``collabcomm``, the heavy libraries its modules import on first use
    (:mod:`collabcomm.lazy`), and :data:`KERNEL_MODULES`, in a fixed order.

    The lazily imported names are read from the modules themselves, so that a new
    ``lazy_import`` is covered without a list to keep up to date.
    """
    import collabcomm
    from collabcomm.lazy import LazyModule

    names = [collabcomm.__name__]
    lazy: set[str] = set()
    for info in pkgutil.walk_packages(collabcomm.__path__, "collabcomm."):
        names.append(info.name)
        module = importlib.import_module(info.name)
        lazy.update(v._lazy_name for v in vars(module).values() if isinstance(v, LazyModule))
    return names + sorted(lazy) + list(KERNEL_MODULES)


def preload() -> list[str]:
    """Import what the pipeline's kernels import (:func:`import_set`: this package, the
    libraries it imports on first use, ipykernel; not the papermill side); return the names."""
    names = [n for n in import_set() if n not in {"ipykernel_launcher", "papermill", "nbclient"}]
    for name in names:
        importlib.import_module(name)
    return names


class ForkedProcess:
    """The ``subprocess.Popen`` methods jupyter_client's provisioner uses, for a kernel the
    fork server forked (a child of the server, not of this process): its liveness is read from
    a pidfd, and signals go to its process group (its session, as for a launched kernel)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None
        try:
            self._fd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:  # already gone
            self._fd, self.returncode = None, 0

    def poll(self) -> int | None:
        if self.returncode is None and self._fd is not None:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if ready:
                self._close(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and self._fd is not None:
            ready, _, _ = select.select([self._fd], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            self._close(0)
        return self.returncode  # type: ignore[return-value]

    def _close(self, code: int) -> None:
        self.returncode = code  # the server reaps the child; its status is not ours to read
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:  # through the pidfd: never a later process given the same pid
            signal.pidfd_send_signal(self._fd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkServer:
    """The pipeline's handle on a fork server: started by :meth:`start`, asked for kernels by
    :meth:`spawn`, stopped by :meth:`close` (a context manager does both)."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.env, self.cwd, self.log = dict(env), Path(cwd), Path(log)
        self.process: subprocess.Popen | None = None
        self._dir: str | None = None
        self.failure: str | None = None  # why it could not serve, once it could not

    @property
    def socket_path(self) -> str:
        assert self._dir is not None
        return os.path.join(self._dir, "server")

    def start(self) -> ForkServer:
        """Start the server process; it listens once its imports are done."""
        self._dir = tempfile.mkdtemp(prefix="collabcomm-fork-")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as fh:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _COMMAND, self.socket_path], env=self.env,
                cwd=self.cwd, stdin=subprocess.PIPE, stdout=fh, stderr=fh)
        return self

    def _connect(self) -> socket.socket:
        deadline = time.monotonic() + _START_TIMEOUT
        while not os.path.exists(self.socket_path):
            if self.process is None or self.process.poll() is not None:
                raise OSError(f"the fork server exited; see {self.log}")
            if time.monotonic() > deadline:
                raise OSError(f"the fork server did not start in {_START_TIMEOUT:.0f} s")
            time.sleep(0.02)
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(_START_TIMEOUT)  # a server that stops answering is given up on
        conn.connect(self.socket_path)
        return conn

    def spawn(self, argv: list[str], env: dict[str, str], cwd: str | Path,
              log: str | Path | None) -> ForkedProcess:
        """Fork a kernel for the command line ``argv`` with ``env``, in ``cwd``, its output to
        ``log`` (or nowhere); raise ``OSError`` when the server cannot or will not."""
        if self.failure:
            raise OSError(self.failure)
        request = {"argv": list(argv), "env": dict(env), "cwd": str(cwd),
                   "log": None if log is None else str(log)}
        try:
            with self._connect() as conn, conn.makefile("rwb") as stream:
                stream.write(json.dumps(request).encode() + b"\n")
                stream.flush()
                reply = json.loads(stream.readline() or b"{}")
        except (OSError, ValueError) as exc:
            self.failure = f"the fork server is not available: {exc}"
            raise OSError(self.failure) from exc
        if "pid" not in reply:
            raise OSError(reply.get("error", "the fork server gave no answer"))
        return ForkedProcess(int(reply["pid"]))

    def close(self) -> None:
        """Stop the server, at once (it holds nothing; the kernels it forked are in sessions of
        their own and end with their notebooks)."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait()
            self.process.stdin.close()  # type: ignore[union-attr]
            self.process = None
        if self._dir is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.socket_path)
            with contextlib.suppress(OSError):
                os.rmdir(self._dir)
            self._dir = None

    def __enter__(self) -> ForkServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def _refusal(request: dict) -> str | None:
    """Why the server will not fork ``request``, or ``None``."""
    argv = request.get("argv") or []
    if len(argv) < 3 or argv[1:3] != ["-m", "ipykernel_launcher"]:
        return f"not an ipykernel command line: {argv[:3]}"
    if os.path.realpath(argv[0]) != os.path.realpath(sys.executable):
        return f"another interpreter: {argv[0]}"
    env = request.get("env") or {}
    differ = sorted(k for k in set(env) | set(os.environ)
                    if k not in PER_KERNEL and env.get(k) != os.environ.get(k))
    if differ:
        return "the environment differs from the fork server's in " + ", ".join(differ)
    return None


def _become_kernel(request: dict) -> int:
    """In a forked child: become the kernel ``python -m ipykernel_launcher ARGS`` would start
    (see ``ipykernel_launcher``), with the launch's environment, folder and log; return its
    exit status."""
    os.setsid()  # as jupyter_client's launch (start_new_session): interrupts reach its group
    # the one signal the server set otherwise (serve); every other disposition is already
    # what a new interpreter has (Python's own, e.g. SIGPIPE ignored)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    out = null if request["log"] is None else os.open(
        request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    sys.argv = [request["argv"][0], *request["argv"][3:]]
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp

    try:
        kernelapp.launch_new_instance(argv=request["argv"][3:])
        return 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        return 1


def _handle(listener: socket.socket, conn: socket.socket) -> None:
    """Read one request from ``conn``; fork a kernel for it and reply with its pid, or reply
    why not. The child never returns: it runs the kernel and exits."""
    with conn, conn.makefile("rwb") as stream:
        try:
            request = json.loads(stream.readline() or b"{}")
        except ValueError:
            request = {}
        why = _refusal(request)
        if why:
            stream.write(json.dumps({"error": why}).encode() + b"\n")
            print(f"refused: {why}", flush=True)
            return
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the kernel
            code = 1
            try:
                stream.close()
                conn.close()
                listener.close()
                code = _become_kernel(request)
                import atexit

                atexit._run_exitfuncs()  # what an interpreter's exit runs
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
        stream.write(json.dumps({"pid": pid}).encode() + b"\n")
        print(f"forked kernel {pid} for {request['cwd']}: {' '.join(request['argv'][1:])}",
              flush=True)


def serve(path: str) -> None:
    """Preload, then listen on the Unix socket ``path`` and fork a kernel per request, until
    standard input closes (the pipeline ended or died). Exited kernels are reaped. A Ctrl-C
    in the terminal is the pipeline's to handle (it stops the kernels and then this server),
    so the server ignores it; its kernels, in sessions of their own, do not receive it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    preload()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path + ".new")
    listener.listen(8)
    os.rename(path + ".new", path)  # the socket appears when it already accepts
    try:
        while True:
            ready, _, _ = select.select([listener, sys.stdin], [], [], 0.5)
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            if sys.stdin in ready and not sys.stdin.buffer.read1(1):
                return
            if listener in ready:
                conn, _ = listener.accept()
                _handle(listener, conn)
    finally:
        listener.close()


def main(argv: list[str] | None = None) -> int:
    """The server's entry point, ``python -c "...; main()" SOCKET`` (:data:`_COMMAND`, what
    :meth:`ForkServer.start` runs; ``-m`` would import this module twice, once with its
    package)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: the fork server takes one argument, the path of its socket",
              file=sys.stderr)
        return 2
    serve(args[0])
    return 0
