"""The reconstruction beside the published Exhibits 2 and 3, cell by cell (rounding-aware).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import published
from ..precision import matches_published
from ..significance import p_from_r, stars


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
