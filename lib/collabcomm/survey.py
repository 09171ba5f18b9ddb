"""Apply an instrument to a survey: validate, score, check reliability, aggregate, write.

The instrument is a codebook (:mod:`collabcomm.codebook`), by default Exhibit 1's.

One code path serves notebook 02 and the command ``python -m collabcomm score``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook, load_codebook
from .errors import CollabcommError, OutputTargetError, OutputWriteError
from .instrument import read_survey, resolve, score
from .omega import omega_total
from .outputs import csv_text, write_all
from .paths import input_folder_of, same_file
from .reliability import aggregate, cronbach_alpha, item_statistics, pair_counts

__all__ = ["analyse", "score_file", "output_names", "check_targets"]


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
        both = pair_counts(given)
        nan = float("nan")
        row = [nan, nan, nan, nan, len(given), int(both[~np.eye(len(items), dtype=bool)].min()),
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
    return {
        "teachers": teachers,
        "schools": agg["schools"],
        "reliability": pd.DataFrame(rel_rows, columns=RELIABILITY_COLUMNS),
        "items": pd.concat(item_tables or [pd.DataFrame(columns=ITEM_COLUMNS)],
                           ignore_index=True)[ITEM_COLUMNS],
        "icc": agg["icc"],
        "agreement": agg["agreement"],
        "suppressed": agg["suppressed"],
    }


def output_names(out: str | os.PathLike) -> dict[str, Path]:
    """Files :func:`score_file` writes: ``out`` (teacher scores) and siblings named
    ``<stem>_schools.csv``, ``_reliability``, ``_items``, ``_icc``, ``_agreement``,
    ``_suppressed``."""
    if not str(out).strip() or not Path(out).name:
        raise OutputWriteError(f"{str(out)!r}: is not a file name; give the CSV the teacher "
                               "scores go to, e.g. --out build/scores.csv")
    out = Path(out)
    names = {"teachers": out}
    for key in ("schools", "reliability", "items", "icc", "agreement", "suppressed"):
        names[key] = out.with_name(f"{out.stem}_{key}{out.suffix or '.csv'}")
    return names


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
               reliability_missing: str | None = None) -> dict[str, Path]:
    """Validate ``path`` against a codebook, analyse it, and write every table next to ``out``.

    ``codebook`` is a :class:`~collabcomm.codebook.Codebook`, the path of a codebook YAML
    file, or ``None`` for Exhibit 1's; the keyword options replace the codebook's own.

    Nothing is written unless the whole file validates and every table has been computed;
    the tables are then written all or nothing (:func:`collabcomm.outputs.write_all`): when
    one cannot be written (a read-only folder, a full disk, a folder in the way) the error
    names it and no earlier output has changed.
    No output may be the input itself or lie in an input folder (:func:`check_targets`).
    Returns the written paths.
    """
    names = output_names(out)
    check_targets(path, names)
    if codebook is not None and not isinstance(codebook, Codebook):
        check_targets(codebook, names, what_input="codebook")
        codebook = load_codebook(codebook)
    cb = resolve(codebook, scale_min=scale_min, scale_max=scale_max, missing_codes=missing_codes,
                 reliability_missing=reliability_missing)
    responses = read_survey(path, cb)
    tables = analyse(responses, cb, min_items=min_items, min_respondents=min_respondents)
    write_all({target: csv_text(tables[key]).encode("utf-8") for key, target in names.items()})
    return names
