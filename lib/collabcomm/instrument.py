r"""The survey instrument: item bank, survey-file validation, and scoring.

Every function follows a codebook (:mod:`collabcomm.codebook`); without one, the 20-item
instrument of Exhibit 1 (:func:`collabcomm.codebook.exhibit1`).

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

import contextlib
import csv
import difflib
import gc
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from . import published
from .codebook import Codebook, exhibit1, is_exhibit1, with_options
from .errors import SurveyFileError
from .schema import FACETS, SCALES

__all__ = [
    "item_bank",
    "item_grid",
    "scale_items",
    "read_survey",
    "validate_survey",
    "score",
    "resolve",
    "MAX_ROWS",
]

MAX_ROWS = 1_000_000
"""Largest survey file accepted (rows); a district survey has a few thousand."""

MAX_BYTES = 200 * 2**20


def item_bank(root=None) -> pd.DataFrame:
    """The 20 items of Exhibit 1 (from data/published): position, item_id, scale, facet,
    scale_label, text."""
    return published.items(root)


def item_grid(root=None, codebook: Codebook | None = None) -> pd.DataFrame:
    """The instrument as a grid: facets as rows, scales as columns, item text in the cells
    (Exhibit 1's 5 x 4 by default). An item without a facet is its own row (its id); a blank
    cell is a facet a scale does not measure."""
    cb = exhibit1(root) if codebook is None else codebook
    rows = pd.DataFrame([(i.facet or i.id, i.scale, i.text or i.id) for i in cb.items],
                        columns=["facet", "scale", "text"])
    grid = rows.pivot(index="facet", columns="scale", values="text")
    return grid.loc[list(dict.fromkeys(rows["facet"])), cb.scales]


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


def _sniff(path: Path, raw: bytes, cb: Codebook) -> None:
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
                f"comma-separated columns {[cb.respondent, cb.unit]} and the "
                f"{len(cb.items)} item ids")


def resolve(codebook: Codebook | None = None, *, scale_min: int | None = None,
            scale_max: int | None = None,
            missing_codes: list[int] | tuple[int, ...] | None = None,
            min_items: int | float | None = None,
            min_respondents: int | None = None,
            reliability_missing: str | None = None) -> Codebook:
    """The codebook to use: ``codebook`` (default :func:`~collabcomm.codebook.exhibit1`) with
    the options that are not ``None`` replacing its own.

    Raises
    ------
    SurveyFileError
        When ``scale_min``/``scale_max`` are not integers with ``scale_min < scale_max``, or a
        missing-value code lies inside the response scale (an answer would be ambiguous).
    """
    cb = exhibit1() if codebook is None else codebook
    low = cb.scale_min if scale_min is None else scale_min
    high = cb.scale_max if scale_max is None else scale_max
    if not (isinstance(low, int) and isinstance(high, int) and low < high):
        raise SurveyFileError(f"scale_min and scale_max must be integers with scale_min < "
                              f"scale_max (got {low}, {high})")
    if missing_codes is not None and not isinstance(missing_codes, list | tuple):
        raise SurveyFileError(f"missing_codes: a list of integers is expected (such as [-9], "
                              f"or [] for none), not the single value {missing_codes!r}")
    codes = {int(c) for c in (cb.missing_codes if missing_codes is None else missing_codes)}
    own = {(i.low, i.high) for i in cb.items if (i.low, i.high) != (cb.scale_min, cb.scale_max)}
    for a, b in sorted({(low, high)} | own):
        inside = sorted(c for c in codes if a <= c <= b)
        if inside:
            raise SurveyFileError(
                f"missing-value code(s) {inside} lie inside the response scale {a}-{b}, so an "
                f"answer of {inside[0]} would be ambiguous (a real answer or a missing one); "
                "recode missing answers outside the scale (e.g. -9) or leave them blank")
    return with_options(cb, scale_min=scale_min, scale_max=scale_max,
                        missing_codes=missing_codes, min_items=min_items,
                        min_respondents=min_respondents,
                        reliability_missing=reliability_missing)


def read_survey(path: str | os.PathLike, codebook: Codebook | None = None, *,
                scale_min: int | None = None, scale_max: int | None = None,
                missing_codes: list[int] | tuple[int, ...] | None = None) -> pd.DataFrame:
    """Read and validate a survey file against a codebook; return clean responses.

    The file must be UTF-8 (with or without BOM) comma-separated values with a header row:
    the codebook's respondent and unit columns and its item columns, in any order (for
    Exhibit 1, ``teacher_id``, ``school_id`` and the 20 item columns of data/README.md).
    Answers are integers on each item's response scale; a blank cell is a missing answer, and
    any value listed in the missing codes (e.g. ``[-9, 99]``) is one too.

    Parameters
    ----------
    path : path-like
        The survey CSV.
    codebook : Codebook, optional
        The instrument (default Exhibit 1's, :func:`collabcomm.codebook.exhibit1`).
    scale_min, scale_max, missing_codes : optional
        Replace the codebook's (:func:`resolve`).

    Returns
    -------
    DataFrame
        The respondent and unit columns (as strings) and the items (float, NaN for missing),
        in the codebook's column order.

    Raises
    ------
    SurveyFileError
        One message naming the file, and the column and row (1-based line in the file,
        header = line 1) where it applies: a missing, misspelled or unexpected column; a
        non-integer or out-of-range answer, or one not written with the ASCII digits 0-9
        (``1e200``, ``inf``, a full-width ``４``); an undeclared missing-value code; a
        duplicate respondent id; a blank respondent or unit id; an empty file; a
        wrong delimiter or encoding; a file too large. Also a declared missing-value code that
        lies inside the response scale (it would be ambiguous). With a codebook file, the
        messages about columns and answers name the codebook too, since either may be wrong.
    """
    cb = resolve(codebook, scale_min=scale_min, scale_max=scale_max, missing_codes=missing_codes)
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
    _sniff(path, raw.lstrip(b"\xef\xbb\xbf"), cb)
    try:
        with _gc_paused():
            rows = list(csv.reader(text.splitlines()))
    except csv.Error as exc:
        raise SurveyFileError(f"{path}: not readable as CSV ({exc})") from None
    header = [h.strip() for h in rows[0]]
    body = _nonblank(rows[1:])
    if not body:
        raise SurveyFileError(f"{path}: the file has a header but no responses")
    if len(body) > MAX_ROWS:
        raise SurveyFileError(f"{path}: {len(body)} rows exceed the limit of {MAX_ROWS}")
    return _validated(header, body, path, cb)


def _check_header(header: list[str], cb: Codebook, path: Path) -> None:
    dup_cols = sorted({h for h in header if header.count(h) > 1})
    if dup_cols:
        raise SurveyFileError(f"{path}: column(s) {dup_cols} appear more than once in the header")
    expected = cb.columns
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if not (missing or extra):
        return
    hints = []
    for c in missing:
        close = difflib.get_close_matches(c, extra, n=1, cutoff=0.75)
        hints.append(f"'{c}' (found '{close[0]}': misspelled?)" if close else f"'{c}'")
    parts = []
    if missing:
        parts.append("missing column(s) " + ", ".join(hints))
    unmatched = [e for e in extra
                 if not any(difflib.get_close_matches(c, [e], n=1, cutoff=0.75) for c in missing)]
    if unmatched:
        parts.append(f"unexpected column(s) {unmatched}")
    ids = cb.item_ids
    example = "collaborative_recruitment" if "collaborative_recruitment" in ids else ids[0]
    what = "Exhibit 1" if is_exhibit1(cb) else f"the codebook {cb.source}"
    raise SurveyFileError(
        f"{path}: " + "; ".join(parts) + f". Expected {[cb.respondent, cb.unit]} and the "
        f"{len(ids)} item ids of {what} (e.g. '{example}')")


def _answer(v: str, c: str, line: int, lo: int, hi: int, codes: set[int], path: Path,
            cb: Codebook) -> float:
    """One cell as a float answer (NaN = missing), or one clear error."""
    if v == "" or v.upper() in ("NA", "NAN"):
        return np.nan
    where = f"{path}: row {line}, column '{c}'"
    try:
        x = float(v)
    except ValueError:
        raise SurveyFileError(f"{where}: {v!r} is not a number; answers are integers from {lo} "
                              f"to {hi} (blank = missing)") from None
    if not np.isfinite(x) or x != int(x):
        raise SurveyFileError(f"{where}: {v!r} is not a whole number; answers are integers "
                              f"from {lo} to {hi}")
    if not _PLAIN_INTEGER.fullmatch(v):  # '1e200', a full-width '４', '0x4'
        raise SurveyFileError(f"{where}: {v!r} is not written with the digits 0-9 alone; "
                              f"answers are integers from {lo} to {hi}, written as such "
                              f"(e.g. {lo})")
    x = int(x)
    if x in codes:
        return np.nan
    if lo <= x <= hi:
        return float(x)
    if _is_missing_code_like(x):
        how = (f"with missing_codes (e.g. --missing-codes {x})" if is_exhibit1(cb) else
               f"in the missing_codes of the codebook {cb.source}")
        raise SurveyFileError(f"{where}: {x} looks like a missing-value code that was not "
                              f"declared; declare it {how} or correct the answer")
    tail = "" if is_exhibit1(cb) else (
        f" that the codebook {cb.source} gives for this item; correct the answer, or the "
        "codebook's response_scale if the survey used another range")
    raise SurveyFileError(f"{where}: answer {x} is outside the response scale {lo}-{hi}{tail}")


@contextlib.contextmanager
def _gc_paused():
    """Python's cyclic garbage collector off for the block (and back on after, if it was on).

    Reading 200,000 rows creates millions of lists and tuples, none of them in a cycle; each
    allocation burst would otherwise start a collection that walks all of them (about half
    of the time spent in :func:`csv.reader` and in transposing rows to columns)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _nonblank(rows: list[list[str]]) -> list[tuple[int, list[str]]]:
    """The rows with a cell that is not white space, each with its line in the file (the
    header is line 1). A row whose first cell is not white space counts at once (the common
    case); any other counts when its cells joined are not white space."""
    maybe = {j for j, r in enumerate(rows) if not r or not r[0].strip()}
    blank = {j for j in maybe if not "".join(rows[j]).strip()}
    numbered = zip(range(2, len(rows) + 2), rows, strict=True)
    return [(i, r) for i, r in numbered if i - 2 not in blank] if blank else list(numbered)


def _columns(rows: list[tuple[int, list[str]]], col: dict[str, int], cb: Codebook,
             path: Path) -> pd.DataFrame:
    """The id columns as text and the items as float answers (NaN = missing).

    Each distinct cell of an item is stripped and converted once (:func:`_answer`; a survey
    has a handful of distinct answers, so 200,000 respondents cost one hashing pass over the
    text, :func:`pandas.factorize`, not one call per answer). Where any cell is wrong,
    :func:`_first_error` walks the rows in file order, so the error names the same first cell,
    row by row and column by column, as reading cell by cell would.
    """
    codes = set(cb.missing_codes)
    width = max(col.values()) + 1
    table = list(zip(*(r for _, r in rows), strict=True)) or [()] * width  # the file's columns
    data: dict[str, list | np.ndarray] = {}
    for c in (cb.respondent, cb.unit):
        data[c] = [v.strip() for v in table[col[c]]]
        if not all(data[c]):
            _first_error(rows, col, cb, codes, path)
    for item in cb.items:
        where, distinct = pd.factorize(np.asarray(table[col[item.id]], dtype=object))
        stripped = [d.strip() for d in distinct]
        value = {}
        for v in dict.fromkeys(stripped):
            try:
                value[v] = _answer(v, item.id, 0, item.low, item.high, codes, path, cb)
            except SurveyFileError:
                _first_error(rows, col, cb, codes, path)
        answers = np.array([value[v] for v in stripped], dtype=float)
        data[item.id] = answers[where]
    return pd.DataFrame(data)


def _first_error(rows: list[tuple[int, list[str]]], col: dict[str, int], cb: Codebook,
                 codes: set[int], path: Path) -> None:
    """Raise the error of the first wrong cell in file order (row by row; in a row the ids,
    then the items in the codebook's order)."""
    for line, r in rows:
        for c in (cb.respondent, cb.unit):
            if not r[col[c]].strip():
                raise SurveyFileError(f"{path}: row {line}, column '{c}' is empty")
        for item in cb.items:
            _answer(r[col[item.id]].strip(), item.id, line, item.low, item.high, codes, path, cb)
    raise RuntimeError("_first_error found no wrong cell")  # unreachable: a cell failed


def validate_survey(header: list[str], rows: list[list[str]], path: str | os.PathLike = "<data>",
                    codebook: Codebook | None = None, *, scale_min: int | None = None,
                    scale_max: int | None = None,
                    missing_codes: list[int] | tuple[int, ...] | None = None) -> pd.DataFrame:
    """Validate a parsed survey (header and rows of strings); see :func:`read_survey`."""
    cb = resolve(codebook, scale_min=scale_min, scale_max=scale_max, missing_codes=missing_codes)
    return _validated(header, _nonblank(rows), Path(path), cb)


def _validated(header: list[str], rows: list[tuple[int, list[str]]], path: Path,
               cb: Codebook) -> pd.DataFrame:
    """:func:`validate_survey` on the rows :func:`_nonblank` kept, with their lines."""
    _check_header(header, cb, path)
    width = len(header)
    if {len(r) for _, r in rows} - {width}:
        i, r = next((i, r) for i, r in rows if len(r) != width)
        raise SurveyFileError(f"{path}: row {i} has {len(r)} fields, the header has {width}")
    col = {c: header.index(c) for c in cb.columns}
    line_of = [line for line, _ in rows]
    with _gc_paused():
        df = _columns(rows, col, cb, path)
    who = df[cb.respondent]
    dup = who.duplicated(keep="first")
    if dup.any():
        j = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((who == who.iloc[j]).to_numpy())[0])
        noun = "teacher" if is_exhibit1(cb) else "respondent"
        raise SurveyFileError(
            f"{path}: row {line_of[j]}, column '{cb.respondent}': '{who.iloc[j]}' "
            f"repeats row {line_of[first]}; each {noun} must appear once")
    return df


def score(responses: pd.DataFrame, codebook: Codebook | None = None, *,
          scale_min: int | None = None, scale_max: int | None = None,
          min_items: int | float | None = None) -> pd.DataFrame:
    """Respondent-level scale scores on the 0-100 POMP metric.

    Parameters
    ----------
    responses : DataFrame
        The respondent and unit columns and the codebook's items (NaN = missing), as answered
        (reverse-keyed items are recoded here, :meth:`~collabcomm.codebook.Codebook.keyed`).
    codebook : Codebook, optional
        Default Exhibit 1's.
    scale_min, scale_max : int, optional
        Replace the codebook's response scale (Exhibit 1: 1-5).
    min_items : int or float, optional
        Answered items a scale needs: a count (at most the smallest scale's number of items;
        Exhibit 1: 4 of 5) or a fraction of each scale's items; with fewer the score is
        missing.

    Returns
    -------
    DataFrame
        The respondent and unit columns, one score per scale, and ``n_items_<scale>``.

    Examples
    --------
    >>> from collabcomm.schema import ITEM_IDS
    >>> row = {"teacher_id": "t1", "school_id": "A",
    ...        **{i: 3.0 for i in ITEM_IDS}}
    >>> float(score(pd.DataFrame([row]))["collaborative"].iloc[0])
    50.0
    """
    cb = resolve(codebook, scale_min=scale_min, scale_max=scale_max)
    if min_items is not None:
        smallest = min(len(cb.scale_items(s)) for s in cb.scales)
        if isinstance(min_items, bool) or not (
                1 <= min_items <= smallest if isinstance(min_items, int) else 0 < min_items <= 1):
            raise SurveyFileError(f"min_items must be between 1 and {smallest}, not {min_items}"
                                  " (or a fraction of each scale's items, such as 0.8)")
        cb = with_options(cb, min_items=min_items)
    missing = [c for c in cb.columns if c not in responses.columns]
    if missing:
        raise SurveyFileError(f"responses lack column(s) {missing}")
    keyed = cb.keyed(responses)
    out = responses[[cb.respondent, cb.unit]].copy()
    for s in cb.scales:
        items = keyed[cb.scale_items(s)].astype(float)
        low, high = cb.scale_range(s)
        answered = items.notna().sum(axis=1)
        pomp = 100 * (items.mean(axis=1) - low) / (high - low)
        out[s] = pomp.where(answered >= cb.needed(s))
        out[f"n_items_{s}"] = answered.astype(int)
    return out
