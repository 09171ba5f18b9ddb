"""Reliability and within-school agreement of the instrument's scales.

Cronbach's alpha (raw and standardized, with Feldt's confidence interval), item statistics,
the mean inter-item correlation; the ICC(1) and ICC(2) of each scale (computed by
:func:`collabcomm.intraclass.icc`); rwg(j) and Lindell's r*wg(j) against a uniform null;
and the minimum-respondents rule that keeps small groups of teachers from being singled out.

Validated against R's ``psych::alpha`` (tests/reference/psych_alpha.R and the values it wrote)
and cross-checked against pingouin's ``cronbach_alpha``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CollabcommError
from .intraclass import icc
from .lazy import lazy_import

_special = lazy_import("scipy.special")

__all__ = [
    "MISSING_MODES",
    "Alpha",
    "pair_counts",
    "cronbach_alpha",
    "item_statistics",
    "mean_interitem_r",
    "rwg_j",
    "rwg_by_unit",
    "respondent_counts",
    "aggregate",
    "formative_demo",
]


#: How missing answers enter alpha and the item statistics (a codebook's ``reliability_missing``).
MISSING_MODES = ("pairwise", "listwise")


@dataclass(frozen=True)
class Alpha:
    """Result of :func:`cronbach_alpha`.

    ``n`` is the n of Feldt's interval (psych's): the respondents who answered at least one item
    (``pairwise``) or every item (``listwise``); ``n_complete`` those who answered every item;
    ``n_pairwise_min`` the fewest respondents behind any inter-item covariance (the fewest who
    answered both items of a pair; ``n_complete`` in listwise mode); ``missing`` the mode.
    """

    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    n: int
    k: int
    n_complete: int = 0
    n_pairwise_min: int = 0
    missing: str = "pairwise"
    mean_interitem_r: float = float("nan")


def _answers(data: pd.DataFrame, items: list[str] | None, missing: str) -> pd.DataFrame:
    """The scale's answers alpha rests on: respondents with at least one answer (pairwise) or
    with every answer (listwise), checked for enough of them."""
    if missing not in MISSING_MODES:
        raise CollabcommError(f"missing answers must be handled {' or '.join(MISSING_MODES)}, "
                              f"not {missing!r}")
    items = list(data.columns) if items is None else list(items)
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise CollabcommError(f"data lack item column(s) {absent}")
    if len(items) < 2:
        raise CollabcommError("reliability needs at least two items")
    x = data[items].astype(float)
    x = x.dropna() if missing == "listwise" else x.dropna(how="all")
    if missing == "listwise" and len(x) < 3:
        raise CollabcommError(f"reliability needs at least 3 complete cases, got {len(x)}")
    both = np.where(np.eye(len(items), dtype=bool), len(x) + 1, pair_counts(x))
    low = np.unravel_index(np.argmin(both), both.shape)
    if both[low] < 3:
        raise CollabcommError(
            f"reliability needs at least 3 respondents who answered both items of every pair; "
            f"{items[low[0]]} and {items[low[1]]} were both answered by {both[low]}")
    return x


def pair_counts(answers: pd.DataFrame) -> np.ndarray:
    """Respondents who answered both items, for every pair (the diagonal: each item's answers).

    >>> pair_counts(pd.DataFrame({"a": [1, 2, None], "b": [1, None, 3]})).tolist()
    [[2, 1], [1, 2]]
    """
    ok = answers.notna().to_numpy(dtype=np.int64)
    return ok.T @ ok


def _min_offdiagonal(m: np.ndarray) -> int:
    k = m.shape[0]
    return int(m[~np.eye(k, dtype=bool)].min())


def _alpha_of(c: np.ndarray) -> float:
    k = c.shape[0]
    total = c.sum()
    if total <= 0:
        raise CollabcommError("the item sum has zero variance; alpha is undefined")
    return float(k / (k - 1) * (1 - np.trace(c) / total))


def _mean_r(c: np.ndarray) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        r = c / np.sqrt(np.outer(np.diag(c), np.diag(c)))
    k = r.shape[0]
    return float((r.sum() - k) / (k * (k - 1)))


def f_upper_quantile(q: float, df1: float, df2: float) -> float:
    r"""The upper-tail quantile of the F distribution: :math:`x` with :math:`P(F > x) = q` on
    ``(df1, df2)`` degrees of freedom; NaN when a degree of freedom is not positive.

    Notes
    -----
    :math:`F^{-1}_{df_1, df_2}(1 - q)` by ``scipy.special.fdtri``, which is what
    ``scipy.stats.f.isf`` evaluates (its ``_ppf`` at ``1.0 - q``), without importing
    scipy.stats (about 1 s of ``score``'s start-up). Validated against ``scipy.stats.f.isf``
    to the last bit (tests/test_reliability.py).

    >>> round(f_upper_quantile(0.025, 10, 40), 6)
    2.388161
    """
    if not (df1 > 0 and df2 > 0) or not 0 <= q <= 1:
        return math.nan
    return float(_special.fdtri(df1, df2, 1.0 - q))


def cronbach_alpha(data: pd.DataFrame, items: list[str] | None = None, *,
                   ci: float = 0.95, missing: str = "pairwise") -> Alpha:
    r"""Cronbach's alpha of ``items``, raw and standardized, with missing answers handled
    ``pairwise`` (default, as R's ``psych::alpha``) or ``listwise`` (complete cases, as SPSS
    RELIABILITY).

    Notes
    -----
    From the inter-item covariance matrix :math:`C` (of :math:`k` items) and the correlations
    :math:`r_{ij} = C_{ij}/\sqrt{C_{ii}C_{jj}}`,

    .. math::
        \alpha = \frac{k}{k-1}\left(1 - \frac{\operatorname{tr} C}{\sum_{ij} C_{ij}}\right),
        \qquad \alpha_{std} = \frac{k \bar r}{1 + (k-1) \bar r},

    with :math:`\bar r` the mean inter-item correlation. ``pairwise``: each covariance from the
    respondents who answered both items, each variance from every answer to the item (psych's
    ``cov(x, use = "pairwise")``, and its ``cov2cor`` for :math:`r`); ``listwise``: all from the
    respondents who answered every item. Without missing answers the two agree. Feldt's
    interval (Feldt, Woodruff & Salih 1987): :math:`1 - (1-\alpha) F_{(1 \mp c)/2}^{-1}`, the
    upper-tail F quantiles on :math:`(n-1, (n-1)(k-1))` degrees of freedom, with psych's
    :math:`n`: every respondent given (here: who answered at least one item; a respondent with
    no answer carries no information), or the complete cases in listwise mode.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16, 297-334. Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987).
    Statistical inference for coefficient alpha. *Applied Psychological Measurement*, 11, 93-103.

    Validated against R ``psych::alpha`` (raw_alpha, std.alpha, average_r, Feldt interval) on
    complete data and, both modes, on lq2002 with 5 % of answers deleted and multilevel's
    cohesion (tests/reference/psych_missing.R), and against pingouin ``cronbach_alpha``.
    """
    x = _answers(data, items, missing)
    n, k = x.shape
    c = x.cov().to_numpy()
    alpha = _alpha_of(c)
    rbar = _mean_r(c)
    std_alpha = k * rbar / (1 + (k - 1) * rbar)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lo = 1 - (1 - alpha) * f_upper_quantile((1 - ci) / 2, df1, df2)
    hi = 1 - (1 - alpha) * f_upper_quantile((1 + ci) / 2, df1, df2)
    both = pair_counts(x)
    return Alpha(float(alpha), float(std_alpha), float(lo), float(hi), n, k,
                 int(x.notna().all(axis=1).sum()), _min_offdiagonal(both), missing, rbar)


def mean_interitem_r(data: pd.DataFrame, items: list[str] | None = None, *,
                     missing: str = "pairwise") -> float:
    """Mean of the off-diagonal inter-item correlations (``average_r`` in psych), from the
    covariances of :func:`cronbach_alpha` (``missing`` as there)."""
    return _mean_r(_answers(data, items, missing).cov().to_numpy())


def item_statistics(data: pd.DataFrame, items: list[str] | None = None, *,
                    missing: str = "pairwise") -> pd.DataFrame:
    r"""Per item: ``n`` (the answers behind mean and sd), mean, sd, item-rest correlation
    (``r.drop`` in psych) and alpha if the item is deleted (``raw_alpha`` of psych's
    ``alpha.drop``), with missing answers handled as in :func:`cronbach_alpha`.

    From the covariances :math:`C` of :func:`cronbach_alpha`, the item-rest correlation of
    item :math:`i` is :math:`(\sum_j C_{ij} - C_{ii}) / \sqrt{C_{ii} \sum_{j,l \ne i} C_{jl}}`
    (psych's formula; without missing answers, the correlation of the item with the sum of the
    others). Validated against ``psych::alpha``'s ``item.stats`` and ``alpha.drop``.
    """
    x = _answers(data, items, missing)
    c = x.cov().to_numpy()
    k = c.shape[0]
    rows = []
    for i, col in enumerate(x.columns):
        rest = np.arange(k) != i
        r_rest = (c[:, i].sum() - c[i, i]) / np.sqrt(c[i, i] * c[np.ix_(rest, rest)].sum())
        drop = _alpha_of(c[np.ix_(rest, rest)]) if k > 2 else np.nan
        answers = x[col].dropna()
        rows.append((col, len(answers), float(answers.mean()), float(answers.std(ddof=1)),
                     float(r_rest), drop))
    return pd.DataFrame(rows, columns=["item", "n", "mean", "sd", "item_rest_r",
                                       "alpha_if_deleted"])


def rwg_j(group_items: pd.DataFrame, n_options: int) -> dict[str, float]:
    r"""Within-group agreement of one group on a J-item scale against a uniform null.

    Notes
    -----
    With :math:`\bar s^2` the mean of the J items' within-group variances and
    :math:`\sigma_{EU}^2 = (A^2 - 1)/12` for A response options,

    .. math::
        r_{wg(J)} = \frac{J (1 - \bar s^2/\sigma_{EU}^2)}
                         {J (1 - \bar s^2/\sigma_{EU}^2) + \bar s^2/\sigma_{EU}^2},
        \qquad r^*_{wg(J)} = 1 - \bar s^2 / \sigma_{EU}^2 .

    ``rwg_j`` is truncated to 0 when :math:`\bar s^2 > \sigma_{EU}^2`, as James, Demaree &
    Wolf (1984) recommend; r*wg(j) (Lindell, Brandt & Whitney 1999) is not.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). *Journal of Applied Psychology*, 69, 85-98.
    Lindell, M. K., Brandt, C. J., & Whitney, D. J. (1999). *Applied Psychological
    Measurement*, 23, 127-135. Validated against hand computations in the tests.
    """
    x = group_items.astype(float)
    j = x.shape[1]
    s2 = float(x.var(ddof=1).mean())
    eu = (n_options**2 - 1) / 12
    ratio = s2 / eu
    rwg = 0.0 if ratio > 1 else j * (1 - ratio) / (j * (1 - ratio) + ratio)
    return {"rwg_j": rwg, "rwg_star_j": 1 - ratio, "mean_item_var": s2}


def rwg_by_unit(responses: pd.DataFrame, items: list[str], n_options: int, *,
                unit: str = "school_id", min_respondents: int = 5) -> pd.DataFrame:
    """:func:`rwg_j` of every unit at once: one grouped computation instead of a loop.

    Parameters
    ----------
    responses : DataFrame
        The ``unit`` column and the scale's ``items`` (other columns are ignored).
    items : list of str
        The scale's items.
    n_options : int
        Response options of the scale (the uniform null's A).
    unit : str
        The unit column.
    min_respondents : int
        A unit's rwg(j) needs at least ``max(2, min_respondents)`` respondents who answered
        every item; otherwise both statistics are blank (NaN).

    Returns
    -------
    DataFrame
        One row per unit present in ``responses`` (sorted, as :meth:`pandas.DataFrame.groupby`
        sorts): ``unit``, ``rwg_j``, ``rwg_star_j``, ``mean_item_var``.

    Notes
    -----
    The formulas of :func:`rwg_j`, with each item's within-unit variance (``ddof=1``) over
    the unit's complete answers. Tests compare every unit with :func:`rwg_j` on that unit
    alone (tests/test_reliability.py), on units of every size from 1.
    """
    units = responses.groupby(unit, sort=True).size().index
    complete = responses[[unit, *items]].dropna()
    grouped = complete.groupby(unit, sort=True)[items]
    n = grouped.size().reindex(units, fill_value=0)
    x = complete[items].astype(float)
    # two-pass within-unit variance, as DataFrame.var computes it for one unit
    centred = x - x.groupby(complete[unit]).transform("mean")
    ss = (centred**2).groupby(complete[unit], sort=True).sum().reindex(units)
    s2 = (ss.div(n - 1, axis=0)).mean(axis=1)
    ratio = s2 / ((n_options**2 - 1) / 12)
    j = len(items)
    rwg = np.where(ratio > 1, 0.0, j * (1 - ratio) / (j * (1 - ratio) + ratio))
    enough = (n >= max(2, min_respondents)).to_numpy()
    return pd.DataFrame({unit: units, "rwg_j": np.where(enough, rwg, np.nan),
                         "rwg_star_j": np.where(enough, 1 - ratio, np.nan),
                         "mean_item_var": np.where(enough, s2, np.nan)})


def respondent_counts(scores: pd.DataFrame, scales: list[str], *,
                      unit: str = "school_id") -> pd.DataFrame:
    """Respondents per unit and scale: those who answered enough items to be scored.

    Parameters
    ----------
    scores : DataFrame
        The ``unit`` column and one column per scale, missing where a respondent answered too
        few items (``instrument.score``'s ``min_items`` rule).
    scales : list of str
        The scale columns.
    unit : str
        The unit column (a codebook's ``unit``; Exhibit 1: ``school_id``).

    Returns
    -------
    DataFrame
        One row per unit (index ``unit``), one column per scale: the number of non-missing
        scores. A respondent with a blank row counts nowhere.

    Examples
    --------
    >>> s = pd.DataFrame({"school_id": ["A", "A", "B"], "x": [50.0, None, 25.0]})
    >>> respondent_counts(s, ["x"])["x"].to_dict()
    {'A': 1, 'B': 1}
    """
    return scores.groupby(unit)[list(scales)].count()


def aggregate(scores: pd.DataFrame, responses: pd.DataFrame, scales: dict[str, list[str]], *,
              n_options: int | dict[str, int] = 5, min_respondents: int = 5,
              unit: str = "school_id") -> dict[str, pd.DataFrame]:
    """Aggregate respondents' scale scores to units (schools), with agreement statistics.

    The description below speaks of teachers and schools (Exhibit 1); with a codebook they
    are its respondents and its ``unit`` column, whose name the tables keep.

    Parameters
    ----------
    scores : DataFrame
        ``teacher_id, school_id`` and one column per scale (from ``instrument.score``).
    responses : DataFrame
        The item responses (for rwg(j)), row for row the teachers of ``scores``.
    scales : dict
        Scale name -> its item ids.
    n_options : int or dict
        Number of response options (for rwg's uniform null), or one per scale.
    unit : str
        The unit column (default ``school_id``).
    min_respondents : int
        The minimum-respondents rule, which keeps small groups of teachers from being singled
        out. It counts *respondents*, not rows: the teachers with a score on the scale
        (:func:`respondent_counts`), so blank rows do not count. A school's score on a scale,
        its rwg(j) on that scale and its teachers' part in that scale's ICC are shown only
        where at least ``min_respondents`` teachers were scored on the scale; elsewhere the
        cell is blank and the school takes no part. A school with no such scale is left out
        of every school-level table and listed in ``suppressed``. rwg(j) also needs
        ``min_respondents`` teachers who answered all the scale's items, else it is blank.

    Returns
    -------
    dict of DataFrames
        ``schools`` (the unit column, n_respondents: teachers scored on at least one shown
        scale, mean score per scale), ``icc`` (per scale: ICC(1), ICC(2), over the schools
        shown on that scale, and the counts ``schools`` and ``teachers``, of units and
        respondents; no row for a scale shown for fewer than two schools), ``agreement`` (per
        shown school and scale: the unit column, scale, rwg_j, rwg_star_j), ``suppressed`` (the
        unit column only; no count is shown, so a suppressed school's size is not disclosed).
    """
    if min_respondents < 1:
        raise CollabcommError(f"min_respondents must be at least 1, not {min_respondents}")
    names = list(scales)
    options = n_options if isinstance(n_options, dict) else dict.fromkeys(names, n_options)
    # units as integer codes, factorized once (a blank unit: -1, in no unit); every grouping
    # below is on the codes, and the tables get the unit values back at the end
    codes, labels = pd.factorize(scores[unit], sort=True)
    inside = codes >= 0
    key = pd.Series(codes, index=scores.index)[inside]
    counts = scores.loc[inside, names].groupby(key, sort=True).count()  # unit x scale
    shown = counts >= min_respondents
    kept = shown.index[shown.any(axis=1)]
    suppressed = pd.DataFrame({unit: list(labels[shown.index.difference(kept)])})
    visible = pd.DataFrame(False, index=scores.index, columns=names)  # respondent x scale
    visible.loc[inside, names] = shown.to_numpy()[codes[inside]]
    masked = scores.loc[inside, names].where(visible.loc[inside])
    means = masked.groupby(key, sort=True).mean().loc[kept]
    scored = masked.notna().any(axis=1).groupby(key, sort=True).sum().loc[kept]
    means.index = pd.Index(list(labels[kept]), name=unit)
    schools = means.reset_index()
    schools.insert(1, "n_respondents", scored.astype(int).to_numpy())
    icc_rows, agree_parts = [], []
    for scale, items in scales.items():  # one pass per scale; units are grouped, not looped
        on = visible[scale].to_numpy() & scores[scale].notna().to_numpy()
        if len(np.unique(codes[on])) >= 2:
            res = icc(scores.loc[on, scale], codes[on])
            icc_rows.append((scale, res["icc1"], res["icc2"], res["groups"], res["n"]))
        rows = visible[scale].to_numpy()
        coded = responses.loc[rows, items].assign(**{unit: codes[rows]})
        part = rwg_by_unit(coded, items, options[scale], unit=unit,
                           min_respondents=min_respondents)
        part[unit] = list(labels[part[unit].to_numpy()])
        agree_parts.append(part.assign(scale=scale))
    columns = [unit, "scale", "rwg_j", "rwg_star_j"]
    agreement = (pd.concat([p[columns] for p in agree_parts], ignore_index=True)
                 if agree_parts else pd.DataFrame(columns=columns))
    return {
        "schools": schools,
        "icc": pd.DataFrame(icc_rows, columns=["scale", "icc1", "icc2", "schools", "teachers"]),
        "agreement": agreement,
        "suppressed": suppressed,
    }


def formative_demo(n: int = 500, k: int = 5, seed: int = 0) -> dict[str, float]:
    """A formative composite: k independent causes, each raising an outcome.

    The items are uncorrelated by construction, so alpha is near 0, yet their sum predicts
    the outcome well. Low internal consistency does not make a formative index invalid
    (Bollen & Lennox 1991; Diamantopoulos & Winklhofer 2001).

    Returns alpha, the mean inter-item correlation and the R-squared of the outcome on the sum.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, k))
    y = x.sum(axis=1) + rng.standard_normal(n) * np.sqrt(k / 2)
    items = pd.DataFrame(x, columns=[f"cause_{i + 1}" for i in range(k)])
    r = np.corrcoef(x.sum(axis=1), y)[0, 1]
    return {"alpha": cronbach_alpha(items).alpha, "mean_interitem_r": mean_interitem_r(items),
            "r_squared_of_composite": float(r**2)}
