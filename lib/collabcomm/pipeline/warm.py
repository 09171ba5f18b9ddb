"""Warm start: the modules a notebook's kernel imports, compiled once when the environment is made.

``make env`` installs the lock with uv, which (unlike pip) does not compile the installed
packages to bytecode: compiling all of them (about 10,000 files, with the test suites of pandas
and scipy and the whole of JupyterLab) costs about four times the rest of the installation.
Python compiles a module when it is first imported and keeps the bytecode beside it, unless
``PYTHONDONTWRITEBYTECODE`` is set, as it often is in containers: then every kernel compiles
again what it imports, several seconds of every notebook. So ``make env`` ends with
:func:`main` (``python -m collabcomm.pipeline.warm``), which compiles exactly the source files
the pipeline's kernels load, in parallel, with bytecode writing on whatever the environment
says, and the kernels start from compiled code.

Which files those are is recorded in ``kernel_imports.txt`` beside this module (:data:`LISTING`),
one path per line relative to one of Python's install folders, as ``<root>/<path>`` (the root
``purelib`` for site-packages, ``stdlib`` for the standard library): what :func:`import_set`
loads, and what the kernels of a whole forced run really import (:func:`notebook_entries`,
read from their ``-X importtime`` reports: the libraries' own imports on first use, such as
the PNG writer or the table templates). Finding them needs the imports themselves (a full
run, one core per notebook); compiling a known list takes every core. The listing is the union
over the supported Pythons; ``python -m collabcomm.pipeline.warm --record`` adds what this
interpreter loads, and a test fails, naming the missing files, when the lock or the package
has made the :func:`import_set` part incomplete. This package's own modules are compiled
wholesale, listed or not. Anything else (the tests, the website's Sphinx) is compiled on first
use, as Python always does.

Bytecode is Python's own cache (``__pycache__``, checked against each source file's time and
size), so none of this changes a result; it only spares each kernel the compilation.
"""

from __future__ import annotations

import compileall
import importlib
import os
import py_compile
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .forkserver import FORK_ENV, KERNEL_MODULES, import_set

__all__ = ["KERNEL_MODULES", "LISTING", "ROOTS", "import_set", "loaded_entries", "listed",
           "resolve", "compile_files", "imported_names", "notebook_entries", "record", "main"]

LISTING = Path(__file__).with_name("kernel_imports.txt")
"""The recorded source files the kernels load (see the module's docstring)."""

ROOTS = ("purelib", "platlib", "stdlib", "platstdlib")
"""The install folders (:func:`sysconfig.get_path` names) a listed path is relative to; a file
under several (in a virtual environment purelib and platlib are one folder) takes the first."""


def _roots() -> list[tuple[str, Path]]:
    return [(name, Path(sysconfig.get_path(name))) for name in ROOTS]


def _package_dir() -> Path:
    return Path(__file__).resolve().parents[1]


def loaded_entries() -> list[str]:
    """Import :func:`import_set` in this interpreter and return the listing entries of the
    source files it loaded (``<root>/<relative path>``, sorted), leaving out this package's own
    files (compiled wholesale) and anything outside :data:`ROOTS`."""
    os.environ.setdefault("MPLBACKEND", "Agg")  # no display needed to import pyplot
    for name in import_set():
        importlib.import_module(name)
    roots = [(name, root.resolve()) for name, root in _roots()]
    own = _package_dir()
    entries = set()
    for module in list(sys.modules.values()):
        source = getattr(module, "__file__", None)
        if not source or not source.endswith(".py"):
            continue
        path = Path(source).resolve()
        if path.is_relative_to(own):
            continue
        for name, root in roots:
            if path.is_relative_to(root):
                entries.add(f"{name}/{path.relative_to(root).as_posix()}")
                break
    return sorted(entries)


def listed(listing: Path = LISTING) -> list[str]:
    """The entries of ``listing`` (blank lines and ``#`` comments skipped)."""
    lines = Path(listing).read_text(encoding="utf-8").splitlines()
    return [line for line in (raw.strip() for raw in lines) if line and not line.startswith("#")]


def resolve(entries: Iterable[str]) -> list[Path]:
    """This interpreter's source files for ``entries`` (those that exist here: the listing
    covers every supported Python), then every module of this package, without repeats."""
    roots = dict(_roots())
    found: dict[Path, None] = {}
    for entry in entries:
        root, _, relative = entry.partition("/")
        if root not in roots or not relative:
            raise ValueError(f"{LISTING.name}: {entry!r} is not <one of {', '.join(ROOTS)}>/<path>")
        path = roots[root] / relative
        if path.is_file():
            found[path] = None
    for path in sorted(_package_dir().rglob("*.py")):
        found[path] = None
    return list(found)


def _compile(path: Path) -> bool:
    # TIMESTAMP: the pyc the import system itself writes (the default would follow
    # SOURCE_DATE_EPOCH to hash-checked pycs); an up-to-date pyc is left alone
    return bool(compileall.compile_file(
        str(path), quiet=2, invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP))


def compile_files(paths: Sequence[Path], workers: int | None = None) -> int:
    """Compile ``paths`` to bytecode where Python looks for it (honouring
    ``PYTHONPYCACHEPREFIX``), in ``workers`` processes (default: one per core); return how
    many compiled (a file that cannot be, e.g. in a read-only folder, is left to Python)."""
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(paths) < 2:
        return sum(map(_compile, paths))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return sum(pool.map(_compile, paths, chunksize=max(1, len(paths) // (8 * workers))))


def imported_names(log_text: str) -> list[str]:
    """The modules a process imported, from its ``-X importtime`` report
    (``PYTHONPROFILEIMPORTTIME=1``: ``import time: self | cumulative | name`` per module,
    nested names indented), in order, without repeats; other lines are ignored."""
    names: dict[str, None] = {}
    for line in log_text.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "imported package":
                names[name] = None
    return list(names)


def notebook_entries(source: Path | None = None) -> list[str]:
    """What the notebooks' kernels really import, beyond :func:`import_set` (what the libraries
    load on first use: the PNG writer, the table templates, the live figures' altair...): a
    forced run of every notebook in a temporary copy of the project at ``source`` (default:
    this checkout) with ``PYTHONPROFILEIMPORTTIME=1`` and no fork server, whose kernels report
    every import in their logs (``build/logs``); those modules are imported here and their
    files listed, as :func:`loaded_entries` does."""
    import io
    import tempfile
    from unittest.mock import patch

    from ..paths import project
    from .benchpath import copy_project
    from .execute import run

    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(project(source).root, Path(tmp) / "proj")
        # every kernel a new interpreter, so that each reports all it imports (a forked one
        # would find the fork server's imports done)
        with patch.dict(os.environ, {"PYTHONPROFILEIMPORTTIME": "1", FORK_ENV: "off"}):
            report = run(root, force=True, progress=False, out=io.StringIO())
        if not report.ok:
            raise RuntimeError(f"the recording run failed: {report.failure.message}")
        names = [n for log in sorted((root / "build" / "logs").glob("*.kernel.log"))
                 for n in imported_names(log.read_text(encoding="utf-8", errors="replace"))]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 (a module a kernel could import and this process not)
            continue
    return loaded_entries()


def record(listing: Path = LISTING) -> int:
    """Add to ``listing`` what this interpreter's kernels load (:func:`loaded_entries` and
    :func:`notebook_entries`); return how many entries were new. Run once per supported Python
    after changing the lock or the notebooks' imports."""
    old = listed(listing) if Path(listing).is_file() else []
    new = sorted(set(old) | set(loaded_entries()) | set(notebook_entries()))
    header = ("# Source files the notebooks' kernels load, compiled by `make env` "
              "(collabcomm.pipeline.warm).\n# The union over the supported Pythons; "
              "regenerate with `python -m collabcomm.pipeline.warm --record` on each.\n")
    text = header + "".join(f"{entry}\n" for entry in new)
    tmp = Path(listing).with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(listing)
    return len(new) - len(old)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m collabcomm.pipeline.warm``: compile the listed files and say so (the last
    step of ``make env``); ``--record``: add this interpreter's files to the listing."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--record"]:
        added = record()
        print(f"{LISTING.name}: {added} new entries from Python {sys.version.split()[0]}")
        return 0
    if argv:
        print(f"usage: python -m collabcomm.pipeline.warm [--record] (got {' '.join(argv)})",
              file=sys.stderr)
        return 2
    paths = resolve(listed())
    workers = os.cpu_count() or 1
    print(f"compiling the {len(paths)} source files the notebooks import to bytecode "
          f"(once, for every kernel; {workers} processes)", flush=True)
    compile_files(paths, workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
