"""Exhibit 3's stars against the critical correlation at the paper's N.
"""

from __future__ import annotations

import pandas as pd

from ..significance import critical_r
from .rows import _frame, _row


def check_correlation_stars(correlations: pd.DataFrame, n: int, alpha: float = 0.05
                            ) -> pd.DataFrame:
    """Each printed star (or its absence) against the two-tailed critical r at ``n``.

    Rounding is allowed for: a published r whose rounding interval straddles the critical value
    is consistent with either marking.
    """
    rc = critical_r(n, alpha)
    rows = []
    corr = correlations[correlations["kind"] == "correlation"]
    for r in corr.itertuples():
        half = 0.5 * 10.0 ** (-int(r.decimals))
        lo, hi = abs(r.value) - half, abs(r.value) + half
        starred = r.stars == "*"
        if lo > rc:
            expected = "*"
        elif hi < rc:
            expected = ""
        else:
            expected = starred and "*" or ""
        ok = (expected == "*") == starred
        rows.append(_row("correlation_stars", "3", f"star of r({r.row}, {r.col})",
                         f"{r.value:.{int(r.decimals)}f}{r.stars}",
                         f"|r| {'>' if expected else '<'} {rc:.4f}: '{expected}'",
                         "match" if ok else "inconsistent",
                         f"critical |r| at N = {n}, two-tailed p < {alpha}: {rc:.4f}",
                         (r.row, r.col)))
    return _frame(rows)
