"""Significance of correlations and coefficients, and the paper's star conventions.

Paper 001 marks Exhibit 4 with ``**`` p<0.01, ``*`` p<0.05, ``+`` p<0.1, and Exhibit 3 with
``*`` (read as two-tailed p<.05; see ``data/published/significance_legend.csv``). statsmodels'
``summary_col`` uses ``*`` p<.1, ``**`` p<.05, ``***`` p<.01, so it cannot be used as is.
"""

from __future__ import annotations

import numpy as np

from . import published
from .lazy import lazy_import

_st = lazy_import("scipy.stats")

__all__ = ["p_from_r", "critical_r", "stars", "legend", "star_levels"]


def p_from_r(r: float | np.ndarray, n: int) -> float | np.ndarray:
    r"""Two-tailed p-value of a Pearson correlation ``r`` at sample size ``n``.

    Notes
    -----
    :math:`t = r \sqrt{(n-2)/(1-r^2)}` with :math:`n-2` degrees of freedom.
    Validated against ``scipy.stats.pearsonr`` in the tests.
    """
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore"):
        t = r * np.sqrt((n - 2) / np.maximum(1 - r**2, 0.0))
    p = 2 * _st.t.sf(np.abs(t), n - 2)
    return float(p) if p.ndim == 0 else p


def critical_r(n: int, alpha: float = 0.05) -> float:
    r"""Smallest |r| that is significant at two-tailed level ``alpha`` with ``n`` observations.

    Notes
    -----
    :math:`r_c = t_c / \sqrt{t_c^2 + n - 2}`, :math:`t_c = t_{1-\alpha/2,\,n-2}`.
    At n = 26 and alpha = .05, r_c = 0.3882.
    """
    tc = _st.t.ppf(1 - alpha / 2, n - 2)
    return float(tc / np.sqrt(tc**2 + n - 2))


def legend(exhibit: int = 4) -> list[tuple[str, float]]:
    """(symbol, threshold) pairs of an exhibit's star legend, strictest first
    (from data/published/significance_legend.csv)."""
    leg = published.significance_legend()
    rows = leg[leg["exhibit"] == exhibit].sort_values("p_below")
    return list(zip(rows["symbol"], rows["p_below"], strict=True))


def star_levels(thresholds: list[float], symbols: tuple[str, ...] = ("**", "*", "+")
                ) -> list[tuple[str, float]]:
    """Pair star symbols with p-value thresholds, checking that the thresholds increase.

    >>> star_levels([0.01, 0.05, 0.1])
    [('**', 0.01), ('*', 0.05), ('+', 0.1)]
    """
    from .errors import ParameterError

    if len(thresholds) != len(symbols):
        raise ParameterError(f"star_levels: expected {len(symbols)} thresholds for "
                             f"{list(symbols)}, got {list(thresholds)}")
    if any(not 0 < t < 1 for t in thresholds) or list(thresholds) != sorted(set(thresholds)):
        raise ParameterError(f"star_levels: thresholds must increase strictly within (0, 1), "
                             f"got {list(thresholds)}")
    return list(zip(symbols, [float(t) for t in thresholds], strict=True))


def stars(p: float, levels: list[tuple[str, float]] | None = None) -> str:
    """The paper's stars for a p-value: the symbol of the strictest threshold ``p`` is below.

    Parameters
    ----------
    p : float
        p-value; NaN gives ``""``.
    levels : list of (symbol, threshold), optional
        Default: Exhibit 4's legend, ``[("**", .01), ("*", .05), ("+", .1)]``.

    Examples
    --------
    >>> stars(0.0099), stars(0.01), stars(0.049), stars(0.0999), stars(0.1)
    ('**', '*', '*', '+', '')
    """
    if p is None or np.isnan(p):
        return ""
    for symbol, threshold in sorted(levels if levels is not None else legend(4),
                                    key=lambda x: x[1]):
        if p < threshold:
            return symbol
    return ""
