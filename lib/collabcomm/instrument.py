r"""The 20-item survey instrument: item bank, survey-file validation, and scoring.

Exhibit 1 of paper 001 measures four community types (traditionalistic, contractual /
bureaucratic, collaborative, fragmented), each on the same five facets (policies and
procedures, disagreements between grades or departments, recruitment, administrators,
union-administration relations). Item ids are ``<scale>_<facet>`` (data/README.md, *Item ids*).

Scoring assumption
------------------
The paper states neither the response format nor the scale metric. The companion assumes a
1-5 agreement scale and reports each scale score as *percent of maximum possible* (POMP,
Cohen, Cohen, Aiken & West 1999): the mean of the answered items rescaled to 0-100,

.. math:: \text{score} = 100 \, (\bar x - x_{\min}) / (x_{\max} - x_{\min}) .

Both ends are parameters (``scale_min``, ``scale_max``). A scale score needs at least
``min_items`` answered items (default 4 of 5); otherwise it is missing. Nothing is imputed.
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import published
from .errors import SurveyFileError
from .schema import FACETS, ITEM_IDS, SCALES, TEACHER_ID_COLUMNS

__all__ = [
    "item_bank",
    "item_grid",
    "scale_items",
    "read_survey",
    "validate_survey",
    "score",
    "MAX_ROWS",
]

MAX_ROWS = 1_000_000
"""Largest survey file accepted (rows); a district survey has a few thousand."""

MAX_BYTES = 200 * 2**20


def item_bank(root=None) -> pd.DataFrame:
    """The 20 items of Exhibit 1 (from data/published): position, item_id, scale, facet,
    scale_label, text."""
    return published.items(root)


def item_grid(root=None) -> pd.DataFrame:
    """Exhibit 1 as a 5 x 4 grid: facets as rows, community types as columns, item text in
    the cells."""
    bank = item_bank(root)
    grid = bank.pivot(index="facet", columns="scale", values="text")
    return grid.loc[list(FACETS), list(SCALES)]


def scale_items(scale: str) -> list[str]:
    """The five item ids of a scale, in facet order."""
    if scale not in SCALES:
        raise SurveyFileError(f"unknown scale {scale!r}; scales are {list(SCALES)}")
    return [f"{scale}_{f}" for f in FACETS]


_PLAIN_INTEGER = re.compile(r"[+-]?[0-9]+(?:\.0*)?", re.ASCII)
"""How an answer is written: ASCII digits, an optional sign and an optional ``.0``. Python's
``float`` also reads exponents (``1e200``) and other scripts' digits (a full-width ``４``),
which are refused."""


def _is_missing_code_like(v: float) -> bool:
    """Values that look like a missing-data code rather than a mistyped answer."""
    return v < 0 or bool(re.fullmatch(r"9+", str(int(v)))) and v >= 9


def _sniff(path: Path, raw: bytes) -> None:
    head = raw[:4096].decode("utf-8", errors="replace").splitlines()
    first = head[0] if head else ""
    if "," not in first:
        for delim, name in ((";", "semicolon"), ("\t", "tab"), ("|", "vertical bar")):
            if delim in first:
                raise SurveyFileError(
                    f"{path}: the header is separated by {name}s, not commas; save the file "
                    "as comma-separated values (CSV)")
        if first.strip():
            raise SurveyFileError(
                f"{path}: the header has a single column ({first[:60]!r}); expected "
                f"comma-separated columns {list(TEACHER_ID_COLUMNS)} and the 20 item ids")


def read_survey(path: str | os.PathLike, *, scale_min: int = 1, scale_max: int = 5,
                missing_codes: list[int] | tuple[int, ...] = ()) -> pd.DataFrame:
    """Read and validate a teacher-level survey file; return clean responses.

    The file must be UTF-8 (with or without BOM) comma-separated values with a header row:
    ``teacher_id``, ``school_id`` and the 20 item columns of data/README.md, in any order. Answers
    are integers from ``scale_min`` to ``scale_max``; a blank cell is a missing answer, and
    any value listed in ``missing_codes`` (e.g. ``[-9, 99]``) is one too.

    Returns
    -------
    DataFrame
        ``teacher_id``, ``school_id`` (as strings) and the 20 items (float, NaN for missing),
        in the codebook's column order (data/README.md).

    Raises
    ------
    SurveyFileError
        One message naming the file, and the column and row (1-based line in the file,
        header = line 1) where it applies: a missing, misspelled or unexpected column; a
        non-integer or out-of-range answer, or one not written with the ASCII digits 0-9
        (``1e200``, ``inf``, a full-width ``４``); an undeclared missing-value code; a
        duplicate ``teacher_id``; a blank ``teacher_id`` or ``school_id``; an empty file; a
        wrong delimiter or encoding; a file too large. Also a declared missing-value code that
        lies inside the response scale (it would be ambiguous).
    """
    path = Path(path)
    if not path.is_file():
        raise SurveyFileError(f"{path}: survey file not found")
    size = path.stat().st_size
    if size == 0:
        raise SurveyFileError(f"{path}: the file is empty")
    if size > MAX_BYTES:
        raise SurveyFileError(f"{path}: {size / 2**20:.0f} MiB is larger than the "
                              f"{MAX_BYTES // 2**20} MiB a survey file may have")
    raw = path.read_bytes()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SurveyFileError(f"{path}: the file is UTF-16; save it as UTF-8 CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SurveyFileError(
            f"{path}: line {line} is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the "
            "file with UTF-8 encoding") from None
    if "\x00" in text:
        raise SurveyFileError(f"{path}: the file contains NUL bytes; it is not a text CSV")
    if not text.strip():
        raise SurveyFileError(f"{path}: the file is empty")
    _sniff(path, raw.lstrip(b"\xef\xbb\xbf"))
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise SurveyFileError(f"{path}: not readable as CSV ({exc})") from None
    header = [h.strip() for h in rows[0]]
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    if not body:
        raise SurveyFileError(f"{path}: the file has a header but no responses")
    if len(body) > MAX_ROWS:
        raise SurveyFileError(f"{path}: {len(body)} rows exceed the limit of {MAX_ROWS}")
    return validate_survey(header, rows[1:], path, scale_min=scale_min, scale_max=scale_max,
                           missing_codes=missing_codes)


def validate_survey(header: list[str], rows: list[list[str]], path: str | os.PathLike = "<data>",
                    *, scale_min: int = 1, scale_max: int = 5,
                    missing_codes: list[int] | tuple[int, ...] = ()) -> pd.DataFrame:
    """Validate a parsed survey (header and rows of strings); see :func:`read_survey`."""
    path = Path(path) if not isinstance(path, Path) else path
    if not (isinstance(scale_min, int) and isinstance(scale_max, int) and scale_min < scale_max):
        raise SurveyFileError(f"scale_min and scale_max must be integers with scale_min < "
                              f"scale_max (got {scale_min}, {scale_max})")
    dup_cols = sorted({h for h in header if header.count(h) > 1})
    if dup_cols:
        raise SurveyFileError(f"{path}: column(s) {dup_cols} appear more than once in the header")
    expected = [*TEACHER_ID_COLUMNS, *ITEM_IDS]
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        hints = []
        for c in missing:
            close = difflib.get_close_matches(c, extra, n=1, cutoff=0.75)
            hints.append(f"'{c}' (found '{close[0]}': misspelled?)" if close else f"'{c}'")
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(hints))
        unmatched = [e for e in extra
                     if not any(difflib.get_close_matches(c, [e], n=1, cutoff=0.75)
                                for c in missing)]
        if unmatched:
            parts.append(f"unexpected column(s) {unmatched}")
        raise SurveyFileError(
            f"{path}: " + "; ".join(parts) + f". Expected {list(TEACHER_ID_COLUMNS)} and the "
            "20 item ids of Exhibit 1 (e.g. 'collaborative_recruitment')")
    width = len(header)
    for i, r in enumerate(rows, start=2):
        if any(c.strip() for c in r) and len(r) != width:
            raise SurveyFileError(f"{path}: row {i} has {len(r)} fields, the header has {width}")
    rows = [(i, r) for i, r in enumerate(rows, start=2) if any(c.strip() for c in r)]
    col = {c: header.index(c) for c in expected}
    codes = {int(c) for c in missing_codes}
    inside = sorted(c for c in codes if scale_min <= c <= scale_max)
    if inside:
        raise SurveyFileError(
            f"missing-value code(s) {inside} lie inside the response scale {scale_min}-"
            f"{scale_max}, so an answer of {inside[0]} would be ambiguous (a real answer or a "
            "missing one); recode missing answers outside the scale (e.g. -9) or leave them "
            "blank")
    data = {c: [] for c in expected}
    line_of = []
    for line, r in rows:
        line_of.append(line)
        for c in TEACHER_ID_COLUMNS:
            v = r[col[c]].strip()
            if not v:
                raise SurveyFileError(f"{path}: row {line}, column '{c}' is empty")
            data[c].append(v)
        for c in ITEM_IDS:
            v = r[col[c]].strip()
            if v == "" or v.upper() in ("NA", "NAN"):
                data[c].append(np.nan)
                continue
            try:
                x = float(v)
            except ValueError:
                raise SurveyFileError(
                    f"{path}: row {line}, column '{c}': {v!r} is not a number; answers are "
                    f"integers from {scale_min} to {scale_max} (blank = missing)") from None
            if not np.isfinite(x) or x != int(x):
                raise SurveyFileError(
                    f"{path}: row {line}, column '{c}': {v!r} is not a whole number; answers "
                    f"are integers from {scale_min} to {scale_max}")
            if not _PLAIN_INTEGER.fullmatch(v):  # '1e200', a full-width '４', '0x4'
                raise SurveyFileError(
                    f"{path}: row {line}, column '{c}': {v!r} is not written with the digits "
                    f"0-9 alone; answers are integers from {scale_min} to {scale_max}, "
                    f"written as such (e.g. {scale_min})")
            x = int(x)
            if x in codes:
                data[c].append(np.nan)
                continue
            if not scale_min <= x <= scale_max:
                if _is_missing_code_like(x):
                    raise SurveyFileError(
                        f"{path}: row {line}, column '{c}': {x} looks like a missing-value code "
                        f"that was not declared; declare it with missing_codes (e.g. "
                        f"--missing-codes {x}) or correct the answer")
                raise SurveyFileError(
                    f"{path}: row {line}, column '{c}': answer {x} is outside the response "
                    f"scale {scale_min}-{scale_max}")
            data[c].append(float(x))
    df = pd.DataFrame(data)
    dup = df["teacher_id"].duplicated(keep="first")
    if dup.any():
        j = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((df["teacher_id"] == df["teacher_id"].iloc[j]).to_numpy())[0])
        raise SurveyFileError(
            f"{path}: row {line_of[j]}, column 'teacher_id': '{df['teacher_id'].iloc[j]}' "
            f"repeats row {line_of[first]}; each teacher must appear once")
    return df


def score(responses: pd.DataFrame, *, scale_min: int = 1, scale_max: int = 5,
          min_items: int = 4) -> pd.DataFrame:
    """Teacher-level scale scores on the 0-100 POMP metric.

    Parameters
    ----------
    responses : DataFrame
        ``teacher_id``, ``school_id`` and the 20 item columns (NaN = missing).
    scale_min, scale_max : int
        Ends of the response scale (default 1-5).
    min_items : int
        Answered items a scale needs (1-5, default 4); with fewer the score is missing.

    Returns
    -------
    DataFrame
        ``teacher_id``, ``school_id``, the four scale scores, and ``n_items_<scale>``.

    Examples
    --------
    >>> row = {"teacher_id": "t1", "school_id": "A",
    ...        **{i: 3.0 for i in ITEM_IDS}}
    >>> float(score(pd.DataFrame([row]))["collaborative"].iloc[0])
    50.0
    """
    if not 1 <= int(min_items) <= len(FACETS):
        raise SurveyFileError(f"min_items must be between 1 and {len(FACETS)}, not {min_items}")
    missing = [c for c in (*TEACHER_ID_COLUMNS, *ITEM_IDS) if c not in responses.columns]
    if missing:
        raise SurveyFileError(f"responses lack column(s) {missing}")
    out = responses[list(TEACHER_ID_COLUMNS)].copy()
    for s in SCALES:
        items = responses[scale_items(s)].astype(float)
        answered = items.notna().sum(axis=1)
        mean = items.mean(axis=1)
        pomp = 100 * (mean - scale_min) / (scale_max - scale_min)
        out[s] = pomp.where(answered >= min_items)
        out[f"n_items_{s}"] = answered.astype(int)
    return out
