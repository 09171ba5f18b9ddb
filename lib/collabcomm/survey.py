"""Apply the instrument to a survey: validate, score, check reliability, aggregate, write.

One code path serves notebook 02 and the command ``python -m collabcomm score``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from . import published
from .errors import CollabcommError, OutputTargetError, OutputWriteError
from .instrument import read_survey, scale_items, score
from .outputs import csv_text, write_all
from .paths import input_folder_of, same_file
from .reliability import aggregate, cronbach_alpha, item_statistics, mean_interitem_r
from .schema import SCALES

__all__ = ["analyse", "score_file", "output_names", "check_targets"]


def analyse(responses: pd.DataFrame, *, scale_min: int = 1, scale_max: int = 5,
            min_items: int = 4, min_respondents: int = 5) -> dict[str, pd.DataFrame]:
    """Score a validated survey and compute reliability and aggregation tables.

    Returns a dict of DataFrames: ``teachers`` (respondent-level scale scores), ``schools``
    (schools with at least ``min_respondents`` respondents), ``reliability`` (per scale:
    alpha, standardized alpha, Feldt 95% CI, n, k, mean inter-item r, published alpha, and a
    ``note`` saying why alpha is missing where it cannot be computed),
    ``items`` (item statistics), ``icc``, ``agreement`` (rwg(j), r*wg(j)) and ``suppressed``.
    """
    teachers = score(responses, scale_min=scale_min, scale_max=scale_max, min_items=min_items)
    pub = published.alphas()
    rel_rows, item_tables = [], []
    for s in SCALES:
        items = scale_items(s)
        try:
            a = cronbach_alpha(responses, items)
            rel_rows.append((s, a.alpha, a.std_alpha, a.ci_low, a.ci_high, a.n, a.k,
                             mean_interitem_r(responses, items), float(pub[s]), ""))
            item_tables.append(item_statistics(responses, items).assign(scale=s))
        except CollabcommError as exc:  # too few or degenerate answers: report, do not abort
            nan = float("nan")
            rel_rows.append((s, nan, nan, nan, nan, int(responses[items].dropna().shape[0]),
                             len(items), nan, float(pub[s]), str(exc)))
    agg = aggregate(teachers, responses, {s: scale_items(s) for s in SCALES},
                    n_options=scale_max - scale_min + 1, min_respondents=min_respondents)
    return {
        "teachers": teachers,
        "schools": agg["schools"],
        "reliability": pd.DataFrame(rel_rows, columns=[
            "scale", "alpha", "std_alpha", "ci_low", "ci_high", "n", "k", "mean_interitem_r",
            "published_alpha", "note"]),
        "items": pd.concat(item_tables or [pd.DataFrame(columns=["scale", "item", "mean", "sd",
                                                                  "item_rest_r",
                                                                  "alpha_if_deleted"])],
                           ignore_index=True)[
            ["scale", "item", "mean", "sd", "item_rest_r", "alpha_if_deleted"]],
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


def check_targets(source: str | os.PathLike, targets: dict[str, Path]) -> None:
    """Refuse output paths that would overwrite the input or land in an input folder.

    Parameters
    ----------
    source : path-like
        The input file.
    targets : dict
        Output name -> path (as from :func:`output_names`).

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
                f"{target}: {what} would overwrite the input survey {source} (the same file); "
                f"choose another --out. Nothing was written")
        folder = input_folder_of(Path(target).absolute())
        if folder is not None:
            raise OutputTargetError(
                f"{target}: {what} would be written into {folder}/, which holds the "
                f"companion's inputs (input survey {source}); choose another --out. "
                f"Nothing was written")


def score_file(path: str | os.PathLike, out: str | os.PathLike, *, scale_min: int = 1,
               scale_max: int = 5, missing_codes: list[int] | tuple[int, ...] = (),
               min_items: int = 4, min_respondents: int = 5) -> dict[str, Path]:
    """Validate ``path``, analyse it, and write every table next to ``out``.

    Nothing is written unless the whole file validates and every table has been computed;
    the tables are then written all or nothing (:func:`collabcomm.outputs.write_all`): when
    one cannot be written (a read-only folder, a full disk, a folder in the way) the error
    names it and no earlier output has changed.
    No output may be the input itself or lie in an input folder (:func:`check_targets`).
    Returns the written paths.
    """
    names = output_names(out)
    check_targets(path, names)
    responses = read_survey(path, scale_min=scale_min, scale_max=scale_max,
                            missing_codes=missing_codes)
    tables = analyse(responses, scale_min=scale_min, scale_max=scale_max, min_items=min_items,
                     min_respondents=min_respondents)
    write_all({target: csv_text(tables[key]).encode("utf-8") for key, target in names.items()})
    return names
