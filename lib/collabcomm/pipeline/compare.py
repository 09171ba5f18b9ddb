"""Where two sets of outputs differ, cell by cell: the diagnostics behind the committed-outputs
checks.

"Bytes differ" tells a user nothing they can act on. :func:`compare_trees` compares a folder of
freshly produced outputs with the committed one and says, for every CSV table that differs,
which cells (row, column) changed, from what to what and by how much relatively; for every
figure that differs, which notebook drew it and which data files that notebook wrote (the data
behind the figure), and whether those differ too.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd

__all__ = ["OUTPUT_FOLDERS", "compare_csv", "compare_outputs", "compare_trees",
           "relative_difference"]

OUTPUT_FOLDERS = ("data/derived", "figures")
"""The folders a pipeline run writes and git holds."""


def relative_difference(new: str, old: str) -> float | None:
    r""":math:`|x_{new} - x_{old}| / \max(|x_{old}|, |x_{new}|)` of two written numbers, or
    ``None`` when either is not a number (text, blank). Equal numbers give 0.

    >>> relative_difference("0.5", "0.25"), relative_difference("-2", "2")
    (0.5, 2.0)
    >>> relative_difference("a", "b") is None
    True
    """
    try:
        a, b = float(new), float(old)
    except ValueError:
        return None
    if math.isnan(a) or math.isnan(b):
        return None
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def compare_csv(new: Path, old: Path, *, max_cells: int = 10) -> list[str]:
    """Lines describing how the table ``new`` differs from ``old`` (empty if the bytes agree).

    Each differing cell is one line: ``row R, column C: committed X, new Y (relative difference
    D)``, rows counted from 1 below the header. At most ``max_cells`` cells are listed, then a
    count of the rest. A different header or number of rows is reported as such.
    """
    new, old = Path(new), Path(old)
    if new.read_bytes() == old.read_bytes():
        return []
    try:
        a, b = _read(new), _read(old)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        return [f"cannot be read as a table to compare cells ({exc})"]
    if list(a.columns) != list(b.columns):
        return [f"columns differ: committed {list(b.columns)}, new {list(a.columns)}"]
    if len(a) != len(b):
        return [f"number of rows differs: committed {len(b)}, new {len(a)}"]
    lines = []
    for column in a.columns:
        for i in (a[column] != b[column]).to_numpy().nonzero()[0]:
            rel = relative_difference(a[column].iloc[i], b[column].iloc[i])
            how = "" if rel is None else f" (relative difference {rel:.2g})"
            lines.append(f"row {i + 1}, column {column}: committed {b[column].iloc[i]!r}, "
                         f"new {a[column].iloc[i]!r}{how}")
    if not lines:  # same cells, other bytes: line endings, quoting
        return ["same cells, different bytes (line endings or quoting)"]
    more = len(lines) - max_cells
    return lines[:max_cells] + ([f"... and {more} more cells"] if more > 0 else [])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _writers(stamps: Path | None) -> dict[str, tuple[str, list[str]]]:
    """output path -> (notebook, every output of that notebook), from the run's stamps."""
    out: dict[str, tuple[str, list[str]]] = {}
    if stamps is None or not Path(stamps).is_dir():
        return out
    for stamp in sorted(Path(stamps).glob("*.json")):
        record = json.loads(stamp.read_text())
        for o in record.get("outputs", []):
            out[o] = (record.get("notebook", stamp.stem), record.get("outputs", []))
    return out


def compare_trees(produced: Path, committed: Path, folder: str, *, stamps: Path | None = None,
                  max_cells: int = 10) -> list[str]:
    """A report of every file under ``folder`` that differs between two project roots.

    Parameters
    ----------
    produced, committed : project roots (a fresh run, and the checkout).
    folder : ``"data/derived"`` or ``"figures"``.
    stamps : the fresh run's stamp folder (``build/stamps``), which says which notebook wrote
        which file; used to name the data behind a figure.

    Returns
    -------
    Lines of text, empty when every file is byte-identical. A file only one side has is
    reported as missing or unexpected.
    """
    produced, committed = Path(produced), Path(committed)
    new_dir, old_dir = produced / folder, committed / folder
    files = sorted({p.relative_to(new_dir).as_posix() for p in new_dir.rglob("*") if p.is_file()}
                   | {p.relative_to(old_dir).as_posix() for p in old_dir.rglob("*")
                      if p.is_file() and p.name != "README.md"})
    writers = _writers(stamps)
    lines: list[str] = []
    for name in files:
        new, old = new_dir / name, old_dir / name
        rel = f"{folder}/{name}"
        if not old.is_file():
            lines.append(f"{rel}: produced but not committed")
            continue
        if not new.is_file():
            lines.append(f"{rel}: committed but no notebook produces it")
            continue
        if _digest(new) == _digest(old):
            continue
        if new.suffix == ".csv":
            lines.append(f"{rel}:")
            lines += [f"  {line}" for line in compare_csv(new, old, max_cells=max_cells)]
            continue
        notebook, outputs = writers.get(rel, ("an unknown notebook", []))
        data = [o for o in outputs if o.endswith(".csv")]
        changed = [o for o in data if (committed / o).is_file() and (produced / o).is_file()
                   and _digest(committed / o) != _digest(produced / o)]
        lines.append(f"{rel}: figure differs; drawn by notebook {notebook}, whose data files "
                     f"are {', '.join(data) or 'none'}"
                     + (f"; of these {', '.join(changed)} differ too" if changed else
                        "; all of them are identical, so the drawing itself changed"))
    return lines


def compare_outputs(produced: Path, committed: Path, *, max_cells: int = 10) -> list[str]:
    """:func:`compare_trees` over every output folder (:data:`OUTPUT_FOLDERS`), with the
    stamps of the run that produced them (``produced/build/stamps``)."""
    stamps = Path(produced) / "build" / "stamps"
    return [line for folder in OUTPUT_FOLDERS
            for line in compare_trees(produced, committed, folder, stamps=stamps,
                                      max_cells=max_cells)]
