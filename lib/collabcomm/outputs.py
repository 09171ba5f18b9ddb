"""Writing outputs safely: atomic files, and staging while a notebook runs.

Two guarantees, one mechanism:

* **Atomic files.** Every file is written to a temporary name in the folder it belongs to and
  then renamed over the target (:func:`os.replace`, atomic on POSIX). A reader, or an interrupted
  run, never sees a half-written file.
* **Last good run kept.** While the pipeline runs a notebook it sets ``COLLABCOMM_STAGE_DIR``.
  Writes aimed inside the project root then land in that staging folder instead, at the same
  relative path. Only when the notebook has finished without error does the pipeline move them
  into place (:func:`commit_staged`). A notebook that fails halfway therefore leaves
  ``figures/`` and ``data/derived/`` exactly as the last good run left them.

Outside the pipeline (a notebook opened in JupyterLab, a test) no staging folder is set and
writes go straight to their target, still atomically.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .paths import project
from .precision import format_table

__all__ = [
    "STAGE_ENV",
    "destination",
    "atomic_path",
    "write_bytes",
    "write_text",
    "write_csv",
    "commit_staged",
]

STAGE_ENV = "COLLABCOMM_STAGE_DIR"


def destination(path: str | os.PathLike) -> Path:
    """Where a write aimed at ``path`` lands now.

    Under the staging folder (same relative path) when ``COLLABCOMM_STAGE_DIR`` is set and
    ``path`` lies inside the project root; otherwise ``path`` itself.
    """
    target = Path(path).resolve()
    stage = os.environ.get(STAGE_ENV)
    if not stage:
        return target
    root = project().root
    try:
        rel = target.relative_to(root)
    except ValueError:
        return target
    return Path(stage).resolve() / rel


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path; on success rename it over the (possibly staged) target.

    The temporary file sits in the target's folder and keeps its suffix, so tools that infer a
    format from the name (matplotlib's ``savefig``) still work. On any exception, including
    ``KeyboardInterrupt``, the temporary file is removed and the target is left untouched.

    Examples
    --------
    >>> with atomic_path("figures/power_curve.png") as tmp:          # doctest: +SKIP
    ...     fig.savefig(tmp)
    """
    dest = destination(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.tmp-{os.getpid()}{dest.suffix}")
    try:
        yield tmp
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return where it landed."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return destination(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    r"""Write UTF-8 ``text`` with ``\n`` line endings to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))


def write_csv(data: pd.DataFrame, path: str | os.PathLike, *, index: bool = False) -> Path:
    r"""Write a DataFrame as CSV, atomically and with deterministic bytes.

    Numbers are written by the precision policy (:func:`collabcomm.precision.format_table`:
    seven significant digits for estimates, four for p-values, integers exact), so the bytes do
    not depend on the machine's floating-point round-off. Missing values are empty fields and
    lines end in ``\n``.
    """
    text = format_table(data).to_csv(index=index, lineterminator="\n")
    return write_text(path, text)


def commit_staged(stage_dir: str | os.PathLike, root: str | os.PathLike) -> list[Path]:
    """Move every file staged under ``stage_dir`` to the same relative path under ``root``.

    Each move is an atomic rename (the staging folder is inside the project, on the same file
    system). Returns the committed target paths, sorted. The staging folder is removed.
    """
    stage_dir, root = Path(stage_dir), Path(root)
    committed = []
    if not stage_dir.exists():
        return committed
    for src in sorted(p for p in stage_dir.rglob("*") if p.is_file()):
        if src.name.startswith(".") and ".tmp-" in src.name:
            continue  # a temporary file of an interrupted write: never commit it
        target = root / src.relative_to(stage_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, target)
        committed.append(target)
    shutil.rmtree(stage_dir, ignore_errors=True)
    return committed
