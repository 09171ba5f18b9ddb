"""Comparing reproduced numbers with published ones, and checks of the paper's consistency.

A published number carries its own precision: ``0.3431`` has four decimals, ``-.29`` two. A
reproduced value *matches* when it rounds to the published digits, i.e. when it lies within
half a unit of the last printed digit (:func:`matches_published`). The comparison is made on
decimal strings, so binary floating point cannot tip a value across a boundary; a value exactly
on the boundary matches (rounding conventions differ between programs).
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

from . import published
from .significance import p_from_r, stars

__all__ = [
    "matches_published",
    "compare_descriptives",
    "compare_correlations",
]


def matches_published(reproduced: float, published_value: float, decimals: int) -> bool:
    """True when ``reproduced`` rounds to ``published_value`` printed with ``decimals`` digits.

    Notes
    -----
    Match iff :math:`|x - p| \\le \\tfrac12 10^{-d}`, evaluated in decimal arithmetic on the
    shortest repr of ``x`` and on ``p`` printed with ``d`` decimals.

    Examples
    --------
    >>> matches_published(0.9549, 0.95, 2), matches_published(0.9551, 0.95, 2)
    (True, False)
    """
    if reproduced is None or published_value is None:
        return False
    if np.isnan(reproduced) or np.isnan(published_value):
        return False
    d = int(decimals)
    x = Decimal(repr(float(reproduced)))
    p = Decimal(f"{float(published_value):.{d}f}")
    return abs(x - p) <= Decimal(5) * Decimal(10) ** (-(d + 1))


def compare_descriptives(data: pd.DataFrame, *, root=None) -> pd.DataFrame:
    """Exhibit 2 side by side: published and reproduced mean, SD (n-1), min and max.

    Returns one row per variable and statistic with ``published``, ``decimals``,
    ``reproduced`` and ``match`` (rounds to the published digits).
    """
    pub = published.descriptives(root)
    funcs = {"mean": lambda s: s.mean(), "sd": lambda s: s.std(ddof=1),
             "min": lambda s: s.min(), "max": lambda s: s.max()}
    rows = []
    for r in pub.itertuples():
        rep = float(funcs[r.statistic](data[r.variable].astype(float)))
        rows.append((r.variable, r.statistic, r.value, int(r.decimals), rep,
                     matches_published(rep, r.value, r.decimals)))
    return pd.DataFrame(rows, columns=["variable", "statistic", "published", "decimals",
                                       "reproduced", "match"])


def compare_correlations(data: pd.DataFrame, *, alpha: float = 0.05, root=None) -> pd.DataFrame:
    """Exhibit 3 side by side: every published correlation with the reproduced one, and the
    stars recomputed (two-tailed p < ``alpha`` at the data's N).

    Columns: ``row, col, published, decimals, published_stars, reproduced, p, reproduced_stars,
    value_match, stars_match``.
    """
    pub = published.correlations(root)
    pub = pub[pub["kind"] == "correlation"]
    n = len(data)
    rows = []
    for r in pub.itertuples():
        rep = float(np.corrcoef(data[r.row].astype(float), data[r.col].astype(float))[0, 1])
        p = p_from_r(rep, n)
        s = stars(p, [("*", alpha)])
        rows.append((r.row, r.col, r.value, int(r.decimals), r.stars, rep, p, s,
                     matches_published(rep, r.value, r.decimals), s == r.stars))
    return pd.DataFrame(rows, columns=["row", "col", "published", "decimals", "published_stars",
                                       "reproduced", "p", "reproduced_stars", "value_match",
                                       "stars_match"])
