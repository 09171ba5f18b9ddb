"""Apply an instrument to a survey: validate, score, check reliability, aggregate, write.

The instrument is a codebook (:mod:`collabcomm.codebook`), by default Exhibit 1's.

One code path serves notebook 02 and the command ``python -m collabcomm score``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook, load_codebook
from .errors import CollabcommError, OutputTargetError, OutputWriteError
from .instrument import read_survey, resolve, score
from .omega import omega_total
from .outputs import csv_text, write_all
from .paths import input_folder_of, same_file
from .reliability import aggregate, cronbach_alpha, item_statistics, pair_counts, respondent_counts

__all__ = ["analyse", "score_file", "output_names", "check_targets", "score_notes",
           "natural_key", "score_summary"]


RELIABILITY_COLUMNS = ["scale", "alpha", "std_alpha", "ci_low", "ci_high", "omega", "n",
                       "n_pairwise_min", "n_complete", "k", "mean_interitem_r",
                       "missing_answers", "published_alpha", "note"]
"""Columns of the reliability table (data/README.md, *instrument_reliability.csv*)."""

ITEM_COLUMNS = ["scale", "item", "n", "mean", "sd", "item_rest_r", "alpha_if_deleted"]
"""Columns of the item table."""


def _reliability_row(keyed: pd.DataFrame, cb: Codebook, scale: str, missing: str):
    """One scale's reliability row and item table (``None`` where alpha cannot be computed)."""
    items = cb.scale_items(scale)
    answers = keyed[items]
    complete = int(answers.notna().all(axis=1).sum())
    notes = []
    try:
        a = cronbach_alpha(keyed, items, missing=missing)
        row = [a.alpha, a.std_alpha, a.ci_low, a.ci_high, a.n, a.n_pairwise_min, complete,
               a.k, a.mean_interitem_r]
        table = item_statistics(keyed, items, missing=missing).assign(scale=scale)
    except CollabcommError as exc:  # too few or degenerate answers: report, do not abort
        given = answers.dropna() if missing == "listwise" else answers.dropna(how="all")
        pairs = pair_counts(given)[~np.eye(len(items), dtype=bool)]
        nan = float("nan")
        row = [nan, nan, nan, nan, len(given), int(pairs.min()) if len(pairs) else pd.NA,
               complete, len(items), nan]
        table = None
        notes.append(str(exc))
    try:
        omega = omega_total(keyed, items).omega
    except CollabcommError as exc:
        omega = float("nan")
        notes.append(str(exc))
    return ([scale, *row[:4], omega, *row[4:], missing, cb.published_alpha(scale),
             "; ".join(notes)], table)


def analyse(responses: pd.DataFrame, codebook: Codebook | None = None, *,
            scale_min: int | None = None, scale_max: int | None = None,
            min_items: int | float | None = None,
            min_respondents: int | None = None,
            reliability_missing: str | None = None) -> dict[str, pd.DataFrame]:
    """Score a validated survey and compute reliability and aggregation tables.

    Parameters
    ----------
    responses : DataFrame
        As :func:`collabcomm.instrument.read_survey` returns it.
    codebook : Codebook, optional
        The instrument (default Exhibit 1's); the keyword options replace its own.
    reliability_missing : {"pairwise", "listwise"}, optional
        How missing answers enter alpha and the item statistics (default: the codebook's
        ``reliability_missing``, itself ``pairwise`` unless it says otherwise).

    Returns
    -------
    dict of DataFrames
        ``teachers`` (respondent-level scale scores), ``schools`` (units with at least
        ``min_respondents`` respondents), ``reliability`` (per scale, :data:`RELIABILITY_COLUMNS`:
        alpha, standardized alpha, Feldt 95% CI, omega total (one-factor ML on complete cases),
        ``n`` (the n of Feldt's interval: respondents who answered at least one item, or
        complete cases when listwise), ``n_pairwise_min`` (the fewest respondents behind any
        inter-item covariance), ``n_complete`` (respondents who answered every item: the n of
        omega), k, mean inter-item r, ``missing_answers`` (pairwise or listwise), published
        alpha (blank unless the codebook gives one), and a ``note`` saying why alpha or omega is
        missing where it cannot be computed), ``items`` (item statistics, with ``n`` the
        answers behind mean and sd), ``icc``, ``agreement`` (rwg(j) against the uniform null of
        each scale's number of options, r*wg(j)) and ``suppressed``. Tables keep the codebook's
        respondent and unit column names; every statistic is computed on the keyed answers
        (reverse-keyed items recoded).
    """
    cb = resolve(codebook, scale_min=scale_min, scale_max=scale_max,
                 reliability_missing=reliability_missing)
    teachers = score(responses, cb, min_items=min_items)
    keyed = cb.keyed(responses)
    rel_rows, item_tables = [], []
    for s in cb.scales:
        row, table = _reliability_row(keyed, cb, s, cb.reliability_missing)
        rel_rows.append(row)
        if table is not None:
            item_tables.append(table)
    agg = aggregate(teachers, keyed, {s: cb.scale_items(s) for s in cb.scales},
                    n_options={s: cb.n_options(s) for s in cb.scales},
                    min_respondents=(cb.min_respondents if min_respondents is None
                                     else min_respondents), unit=cb.unit)
    scales = list(cb.scales)
    return {
        "teachers": teachers,
        "schools": _natural_order(agg["schools"], cb.unit),
        "reliability": pd.DataFrame(rel_rows, columns=RELIABILITY_COLUMNS).astype(
            {"n_pairwise_min": "Int64"}),  # blank for a one-item scale: no pairs
        "items": pd.concat(item_tables or [pd.DataFrame(columns=ITEM_COLUMNS)],
                           ignore_index=True)[ITEM_COLUMNS],
        "icc": agg["icc"],
        "agreement": _natural_order(agg["agreement"], cb.unit, scales),
        "suppressed": _natural_order(agg["suppressed"], cb.unit),
    }


TABLE_KEYS = ("schools", "reliability", "items", "icc", "agreement", "suppressed")
"""The tables written beside the respondent scores, as ``<stem>_<key>.csv``."""


def score_summary(scores: pd.DataFrame, scales: list[str]) -> pd.DataFrame:
    """The distribution of each scale's scores: one row per scale (index ``scale``, in the
    order given) with ``n`` (scored respondents), ``mean``, ``sd`` (sample SD, ddof = 1),
    ``min`` and ``max``; a blank score is not counted.

    Validated against a hand computation (tests/test_survey.py).
    """
    rows = {s: {"n": int(scores[s].notna().sum()), "mean": scores[s].mean(),
                "sd": scores[s].std(ddof=1), "min": scores[s].min(), "max": scores[s].max()}
            for s in scales}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("scale")


def output_names(out: str | os.PathLike,
                 survey: str | os.PathLike | None = None) -> dict[str, Path]:
    """Files :func:`score_file` writes.

    ``out`` naming a file: the respondent scores go to ``out`` and the tables beside it as
    ``<stem>_schools.csv``, ``_reliability``, ``_items``, ``_icc``, ``_agreement``,
    ``_suppressed``, with ``out``'s stem. ``out`` naming a folder (one that exists, or any path
    ending in ``/``): everything goes inside it, named after the ``survey``'s stem:
    ``<survey stem>_scores.csv`` and ``<survey stem>_schools.csv`` and so on.

    Examples
    --------
    >>> names = output_names("build/out/", "SURVEY.csv")
    >>> names["teachers"].as_posix(), names["icc"].as_posix()
    ('build/out/SURVEY_scores.csv', 'build/out/SURVEY_icc.csv')
    >>> output_names("build/scores.csv")["reliability"].as_posix()
    'build/scores_reliability.csv'
    """
    text = os.fspath(out)
    if not text.strip():
        raise OutputWriteError(f"{text!r}: is not a file name; give the CSV the respondent "
                               "scores go to (--out build/scores.csv) or a folder to write "
                               "into (--out build/scores/)")
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        if survey is None:
            raise OutputWriteError(f"{text!r}: is a folder; give the survey whose name the "
                                   "files inside it take, or a file name")
        folder, stem = Path(text), Path(survey).stem
        return {"teachers": folder / f"{stem}_scores.csv",
                **{key: folder / f"{stem}_{key}.csv" for key in TABLE_KEYS}}
    if not Path(text).name:
        raise OutputWriteError(f"{text!r}: is not a file name; give the CSV the respondent "
                               "scores go to (--out build/scores.csv) or a folder to write "
                               "into (--out build/scores/)")
    out = Path(text)
    names = {"teachers": out}
    for key in TABLE_KEYS:
        names[key] = out.with_name(f"{out.stem}_{key}{out.suffix or '.csv'}")
    return names


def natural_key(value: object) -> tuple:
    """Sort key that orders the numbers inside ids by value: 1, 2, 10 (not 1, 10, 2).

    >>> sorted(["W10", "W2", "W1", "x", "10", "9"], key=natural_key)
    ['9', '10', 'W1', 'W2', 'W10', 'x']
    """
    text = str(value)
    parts = re.split(r"(\d+)", text, flags=re.ASCII)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), text


def _natural_order(table: pd.DataFrame, unit: str, scales: list[str] | None = None
                   ) -> pd.DataFrame:
    """``table`` with its units in natural order (within each scale, in ``scales``' order)."""
    if table.empty:
        return table
    where, distinct = pd.factorize(table[unit].astype(str))  # each unit's key computed once
    keys = [natural_key(u) for u in distinct.tolist()]
    rank = np.empty(len(keys), dtype=np.int64)
    rank[sorted(range(len(keys)), key=keys.__getitem__)] = np.arange(len(keys))
    sort_keys = [rank[where]]
    if scales is not None:
        position = {s: k for k, s in enumerate(scales)}
        sort_keys.append(np.array([position[s] for s in table["scale"].tolist()], dtype=np.int64))
    order = np.lexsort(sort_keys)  # stable; the last key is the primary one
    return table.iloc[order].reset_index(drop=True)


def score_notes(tables: dict[str, pd.DataFrame], cb: Codebook) -> list[str]:
    """What scoring left out, one sentence per scale and rule (``score`` prints each after
    ``note:``): respondents who answered too few items to be scored (the codebook's
    ``min_items``), units with too few scored respondents to be shown (``min_respondents``),
    and, when that leaves no unit at all, that the unit tables have a header only. ``cb`` is
    the codebook with the options used.

    Examples
    --------
    A scale where 1 of 3 respondents answered too few items, so that unit B, left with one
    scored respondent, is not shown:

    >>> from collabcomm.codebook import from_mapping
    >>> cb = from_mapping({"respondent": "r", "unit": "u", "response_scale": {"min": 1, "max": 5},
    ...                    "min_items": 2, "min_respondents": 2,
    ...                    "items": [{"id": "a1", "scale": "a"}, {"id": "a2", "scale": "a"}]})
    >>> t = {"teachers": pd.DataFrame({"u": ["A", "A", "B", "B"], "a": [50, 25, 75, None]}),
    ...      "schools": pd.DataFrame({"u": ["A"]}), "suppressed": pd.DataFrame({"u": ["B"]})}
    >>> for line in score_notes(t, cb): print(line)
    a: 1 of 4 respondents answered fewer than 2 of 2 items and is not scored
    a: 1 of 2 units (u) has fewer than 2 scored respondents and is not shown on this scale
    1 of 2 units (u) is below min_respondents on every scale: left out of the unit tables and listed, by id only, in the suppressed table
    """
    teachers, notes = tables["teachers"], []
    n = len(teachers)
    counts = respondent_counts(teachers, cb.scales, unit=cb.unit)
    for s in cb.scales:
        unscored = int(teachers[s].isna().sum())
        if unscored:
            one = unscored == 1
            notes.append(f"{s}: {unscored:,} of {n:,} respondents answered fewer than "
                         f"{cb.needed(s)} of {len(cb.scale_items(s))} items and "
                         f"{'is' if one else 'are'} not scored")
        hidden = int((counts[s] < cb.min_respondents).sum())
        if hidden:
            one = hidden == 1
            notes.append(f"{s}: {hidden:,} of {len(counts):,} units ({cb.unit}) "
                         f"{'has' if one else 'have'} fewer than {cb.min_respondents} scored "
                         f"respondents and {'is' if one else 'are'} not shown on this scale")
    gone = len(tables["suppressed"])
    if 0 < gone < len(counts):
        notes.append(f"{gone:,} of {len(counts):,} units ({cb.unit}) {'is' if gone == 1 else 'are'}"
                     f" below min_respondents on every scale: left out of the unit tables and "
                     f"listed, by id only, in the suppressed table")
    if len(counts) and tables["schools"].empty:
        notes.append(f"every unit is suppressed: none of the {len(counts):,} units ({cb.unit}) "
                     f"has {cb.min_respondents} scored respondents on any scale "
                     f"(min_respondents), so the unit tables (schools, icc, agreement) have a "
                     f"header only and every unit is listed in the suppressed table")
    return notes


def check_targets(source: str | os.PathLike, targets: dict[str, Path], *,
                  what_input: str = "input survey") -> None:
    """Refuse output paths that would overwrite the input or land in an input folder.

    Parameters
    ----------
    source : path-like
        The input file.
    targets : dict
        Output name -> path (as from :func:`output_names`).
    what_input : str
        What ``source`` is, for the message (the input survey, the codebook).

    Raises
    ------
    OutputTargetError
        Naming both paths, when an output is the input file itself (same real path, so also
        through a symbolic link, or :func:`os.path.samefile` for hard links), or when it lies
        in one of the project's input folders (:data:`collabcomm.paths.INPUT_FOLDERS`).
    """
    for key, target in targets.items():
        what = "--out" if key == "teachers" else f"the {key} table"
        if same_file(target, source):
            raise OutputTargetError(
                f"{target}: {what} would overwrite the {what_input} {source} (the same file); "
                f"choose another --out. Nothing was written")
        folder = input_folder_of(Path(target).absolute())
        if folder is not None:
            raise OutputTargetError(
                f"{target}: {what} would be written into {folder}/, which holds the "
                f"companion's inputs ({what_input} {source}); choose another --out. "
                f"Nothing was written")


def score_file(path: str | os.PathLike, out: str | os.PathLike,
               codebook: Codebook | str | os.PathLike | None = None, *,
               scale_min: int | None = None, scale_max: int | None = None,
               missing_codes: list[int] | tuple[int, ...] | None = None,
               min_items: int | float | None = None,
               min_respondents: int | None = None,
               reliability_missing: str | None = None,
               on_note: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Validate ``path`` against a codebook, analyse it, and write every table next to ``out``
    (a file, or a folder: :func:`output_names`).

    ``codebook`` is a :class:`~collabcomm.codebook.Codebook`, the path of a codebook YAML
    file, or ``None`` for Exhibit 1's; the keyword options replace the codebook's own.

    Nothing is written unless the whole file validates and every table has been computed;
    the tables are then written all or nothing (:func:`collabcomm.outputs.write_all`): when
    one cannot be written (a read-only folder, a full disk, a folder in the way) the error
    names it and no earlier output has changed.
    No output may be the input itself or lie in an input folder (:func:`check_targets`).
    Returns the written paths; once they are written, ``on_note`` (if given) receives each of
    :func:`score_notes`' sentences: who was not scored, which units are not shown.
    """
    names = output_names(out, path)
    check_targets(path, names)
    if codebook is not None and not isinstance(codebook, Codebook):
        check_targets(codebook, names, what_input="codebook")
        codebook = load_codebook(codebook)
    cb = resolve(codebook, scale_min=scale_min, scale_max=scale_max, missing_codes=missing_codes,
                 min_items=min_items, min_respondents=min_respondents,
                 reliability_missing=reliability_missing)
    responses = read_survey(path, cb)
    tables = analyse(responses, cb)
    write_all({target: csv_text(tables[key]).encode("utf-8") for key, target in names.items()})
    for note in score_notes(tables, cb) if on_note is not None else ():
        on_note(note)
    return names
