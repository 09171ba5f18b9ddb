"""Loaders for the published numbers in ``data/published/`` (the one place they are typed).

Every table is a tidy CSV transcribed from paper 001 (*collaborative community among
professionals*); ``data/README.md`` is the codebook. Values are kept in the CSV exactly as
printed, so each loader can return both the number (``value``, float) and the precision it was
printed with (``decimals``, the count of digits after the decimal point). A cell that is blank
in an exhibit is missing (``NaN`` value, ``<NA>`` decimals), never 0.

Every loader raises :class:`~collabcomm.errors.PublishedDataError` naming the file (and row and
column where it applies) when a file is missing, unreadable or malformed.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import PublishedDataError
from .paths import project
from .schema import ITEM_IDS, SCHOOL_VARIABLES

__all__ = [
    "decimals_of",
    "items",
    "descriptives",
    "variable_labels",
    "correlations",
    "correlation_matrix",
    "alphas",
    "regressions",
    "item_results",
    "claims",
    "significance_legend",
    "TABLES",
]

TABLES: dict[str, tuple[str, ...]] = {
    "exhibit1_items.csv": ("position", "item_id", "scale", "facet", "scale_label", "text"),
    "exhibit2_descriptives.csv": ("variable", "label", "statistic", "value"),
    "exhibit3_correlations.csv": ("row", "col", "row_label", "col_label", "value", "stars", "kind"),
    "exhibit4_regressions.csv": ("model", "term", "term_label", "value", "stars", "in_model"),
    "exhibit5_items.csv": ("rank", "scale_label", "item_id", "text", "value"),
    "claims.csv": ("claim_id", "paper", "section", "quote", "quantity", "value", "unit",
                   "approx", "kind", "refers_to", "expected", "note"),
    "significance_legend.csv": ("exhibit", "symbol", "p_below", "tails", "source"),
}
"""Each published file and the columns it must have."""


def decimals_of(text: str | float | None) -> int | None:
    """Digits after the decimal point of a number as printed (``"26.40"`` -> 2, ``"-.29"`` -> 2,
    ``"100"`` -> 0); ``None`` for a blank cell."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    s = str(text).strip()
    if not s:
        return None
    return len(s.split(".", 1)[1]) if "." in s else 0


_PARSED: dict[tuple[Path, bytes], pd.DataFrame] = {}
"""Parsed published files, keyed by path and content (:func:`_read`)."""


def _read(name: str, root: Path | None = None) -> tuple[pd.DataFrame, Path]:
    """Read one published CSV as strings (blank cells -> NaN) and check its columns.

    ``root`` is the project root (default: :func:`collabcomm.paths.project`). The file's bytes
    are read on every call; a file whose bytes were parsed before in this process is not parsed
    again (the audit reads the same few tables hundreds of times), and each call gets its own
    copy of the table."""
    path = project(root).published / name
    if not path.is_file():
        raise PublishedDataError(f"{path}: published table not found (it is part of the "
                                 "repository; restore it with `git checkout -- data/published`)")
    key = (path, path.read_bytes())
    if key in _PARSED:
        return _PARSED[key].copy(), path
    try:
        df = pd.read_csv(io.BytesIO(key[1]), dtype=str, keep_default_na=False, na_values=[""],
                         encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PublishedDataError(f"{path}: cannot be read as UTF-8 CSV ({exc})") from None
    expected = TABLES[name]
    if tuple(df.columns) != expected:
        raise PublishedDataError(
            f"{path}: columns are {list(df.columns)}, expected {list(expected)}"
        )
    if df.empty:
        raise PublishedDataError(f"{path}: has no rows")
    _PARSED[key] = df
    return df.copy(), path


def _numeric(df: pd.DataFrame, col: str, path: Path, *, blank_ok: bool = False) -> pd.Series:
    out = pd.to_numeric(df[col], errors="coerce")
    bad = out.isna() & (df[col].notna() | (not blank_ok))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise PublishedDataError(
            f"{path}: row {i + 2}, column '{col}': "
            f"{df[col].iloc[i]!r} is not a number"
        )
    return out.astype(float)


def _with_decimals(read: tuple[pd.DataFrame, Path], *, blank_ok: bool = False
                   ) -> tuple[pd.DataFrame, Path]:
    df, path = read
    df = df.copy()
    df["decimals"] = pd.array([decimals_of(v) for v in df["value"]], dtype="Int64")
    df["value"] = _numeric(df, "value", path, blank_ok=blank_ok)
    return df, path


def _bool(df: pd.DataFrame, col: str, path: Path) -> pd.Series:
    mapping = {"true": True, "false": False}
    out = df[col].str.lower().map(mapping)
    if out.isna().any():
        i = int(np.flatnonzero(out.isna().to_numpy())[0])
        raise PublishedDataError(f"{path}: row {i + 2}, column '{col}': "
                                 f"{df[col].iloc[i]!r} is not true/false")
    return out.astype(bool)


def items(root: Path | None = None) -> pd.DataFrame:
    """Exhibit 1: the 20 survey items (position, item_id, scale, facet, scale_label, text)."""
    df, path = _read("exhibit1_items.csv", root)
    df["position"] = _numeric(df, "position", path).astype(int)
    if tuple(df["item_id"]) != ITEM_IDS:
        raise PublishedDataError(f"{path}: item ids must be the 20 ids of data/README.md in "
                                 f"Exhibit 1's order; found {list(df['item_id'])}")
    return df


def descriptives(root: Path | None = None, *, wide: bool = False) -> pd.DataFrame:
    """Exhibit 2: mean, SD, min and max of the eight school-level variables.

    Long by default (variable, label, statistic, value, decimals); ``wide=True`` gives one row
    per variable (index ``variable``, in the codebook's order, data/README.md) and columns mean, sd, min, max.
    """
    df, _ = _with_decimals(_read("exhibit2_descriptives.csv", root))
    if wide:
        w = df.pivot(index="variable", columns="statistic", values="value")
        return w.loc[list(SCHOOL_VARIABLES), ["mean", "sd", "min", "max"]]
    return df


def variable_labels(root: Path | None = None) -> dict[str, str]:
    """School-level variable name -> Exhibit 2's label (``sed_pct`` -> ``% SED``)."""
    d = descriptives(root)
    return dict(zip(d["variable"], d["label"], strict=True))


def term_labels(root: Path | None = None) -> dict[str, str]:
    """Exhibit 4's rows in words: :func:`variable_labels`, and ``const`` -> ``Constant``,
    ``r_squared`` -> ``R²``, ``n_obs`` -> ``N``.

    >>> labels = term_labels(); labels["const"], labels["api_2011"], labels["n_obs"]
    ('Constant', 'API 2011', 'N')
    """
    return {**variable_labels(root), "const": "Constant", "r_squared": "R²", "n_obs": "N"}


def correlations(root: Path | None = None) -> pd.DataFrame:
    """Exhibit 3 cell by cell as printed (lower triangle): row, col, labels, value, decimals,
    stars, kind (``correlation``, ``alpha`` for the parenthesised diagonal, ``unit`` for a 1)."""
    df, _ = _with_decimals(_read("exhibit3_correlations.csv", root))
    df["stars"] = df["stars"].fillna("")
    return df


def correlation_matrix(root: Path | None = None) -> pd.DataFrame:
    """Exhibit 3's correlations as a full symmetric 8 x 8 matrix with a unit diagonal, in
    the codebook's variable order (data/README.md; the alphas are not part of it; see :func:`alphas`)."""
    df = correlations(root)
    df = df[df["kind"] == "correlation"]
    m = pd.DataFrame(np.eye(len(SCHOOL_VARIABLES)), index=list(SCHOOL_VARIABLES),
                     columns=list(SCHOOL_VARIABLES))
    for r, c, v in df[["row", "col", "value"]].itertuples(index=False):
        m.loc[r, c] = m.loc[c, r] = v
    return m


def alphas(root: Path | None = None) -> pd.Series:
    """Cronbach alphas printed on Exhibit 3's diagonal, indexed by scale."""
    df = correlations(root)
    a = df[df["kind"] == "alpha"].set_index("row")["value"]
    a.index.name = "scale"
    return a.rename("alpha")


def regressions(root: Path | None = None) -> pd.DataFrame:
    """Exhibit 4 cell by cell: model (1-6), term, term_label, value, decimals, stars, in_model.

    Every cell of the printed grid is a row. ``in_model`` says whether the term belongs to that
    model's specification; a term in the model whose cell is blank (Model 1's constant) has a
    missing value. Terms: the regressors, ``const``, ``n_obs`` and ``r_squared``.
    """
    df, path = _with_decimals(_read("exhibit4_regressions.csv", root), blank_ok=True)
    df["model"] = _numeric(df, "model", path).astype(int)
    df["stars"] = df["stars"].fillna("")
    df["in_model"] = _bool(df, "in_model", path)
    return df


def item_results(root: Path | None = None) -> pd.DataFrame:
    """Exhibit 5: rank, scale_label, item_id, text as printed, value (standardized coefficient
    of the Model 1 residuals on the item), decimals."""
    df, path = _with_decimals(_read("exhibit5_items.csv", root))
    df["rank"] = _numeric(df, "rank", path).astype(int)
    unknown = sorted(set(df["item_id"]) - set(ITEM_IDS))
    if unknown:
        raise PublishedDataError(f"{path}: unknown item ids {unknown}")
    return df


def claims(root: Path | None = None) -> pd.DataFrame:
    """Numeric and textual claims of the paper's text, one per row (see data/README.md)."""
    df, path = _read("claims.csv", root)
    df["approx"] = _bool(df, "approx", path)
    return df.fillna({"note": "", "expected": "", "refers_to": "", "unit": ""})


def significance_legend(root: Path | None = None) -> pd.DataFrame:
    """Star symbols per exhibit with their p-value thresholds (printed or assumed)."""
    df, path = _read("significance_legend.csv", root)
    df["exhibit"] = _numeric(df, "exhibit", path).astype(int)
    df["p_below"] = _numeric(df, "p_below", path)
    df["tails"] = _numeric(df, "tails", path).astype(int)
    return df
