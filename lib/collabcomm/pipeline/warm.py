"""Warm start: the modules a notebook's kernel imports, compiled once when the environment is made.

``make env`` installs the lock with uv, which (unlike pip) does not compile the installed
packages to bytecode: compiling all of them (about 10,000 files, with the test suites of pandas
and scipy and the whole of JupyterLab) costs about four times the rest of the installation.
Python compiles a module when it is first imported and keeps the bytecode beside it, unless
``PYTHONDONTWRITEBYTECODE`` is set, as it often is in containers: then every kernel compiles
again what it imports, several seconds of every notebook. So ``make env`` ends with
:func:`precompile` (``python -m collabcomm.pipeline.warm``): one interpreter imports exactly
what the pipeline's kernels import (:func:`import_set`), with bytecode writing on, and the
kernels start from compiled code whatever the environment says. Anything else (the tests, the
website's Sphinx) is compiled on first use, as Python always does.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys

__all__ = ["KERNEL_MODULES", "import_set", "precompile", "main"]

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


def precompile() -> int:
    """Import :func:`import_set` with bytecode writing on; return how many modules were loaded.

    Bytecode is Python's own cache (``__pycache__``, checked against each source file's time
    and size), so this changes no result; it only spares each kernel the compilation.
    """
    sys.dont_write_bytecode = False
    os.environ.setdefault("MPLBACKEND", "Agg")  # no display needed to import pyplot
    for name in import_set():
        importlib.import_module(name)
    return len(sys.modules)


def main() -> int:
    """``python -m collabcomm.pipeline.warm``: precompile and say so (the last step of
    ``make env``)."""
    print("compiling what the notebooks import to bytecode (once, for every kernel)", flush=True)
    precompile()
    return 0


if __name__ == "__main__":
    sys.exit(main())
