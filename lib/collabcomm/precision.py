r"""The precision policy: how many digits of a number the companion writes, and why.

Every number the companion writes to ``data/derived/`` goes through :func:`format_table` (called
by :func:`collabcomm.outputs.write_csv`), so the policy is applied in one place:

==================  ==========================================  ============================
kind                which columns                               written as
==================  ==========================================  ============================
count, flag         integer and boolean columns                 exact (``26``, ``True``)
p-value             ``p``, ``p_*``, ``*_p``, ``p_value``        :data:`P_VALUE_DIGITS`
                                                                significant digits
estimate            every other float (means, SDs,              :data:`ESTIMATE_DIGITS`
                    correlations, coefficients, R², power,      significant digits
                    synthetic data)
zero                a difference that is zero up to round-off   ``0`` (:func:`snap_zero`,
                                                                applied where the difference
                                                                is computed)
==================  ==========================================  ============================

Why these numbers. The paper prints at most 4 significant digits (correlations and
coefficients to 2-3 decimals, API means to 2 decimals). Seven significant digits keep three
digits more than anything it prints, so no comparison with the paper is affected. Floating-point
results that depend on which BLAS kernels a CPU picks (matrix inverses, sums in another order,
an optimizer's stopping point) differ from machine to machine by about 1e-12 relative, and the
companion's optimizers converge to better than 1e-10; seven digits sit far above both, so the
written bytes do not depend on the machine. (A value whose eighth digit lies within 1e-12 of a
rounding tie could still flip; at about 1e-5 per number this has not been seen across the
emulated CPUs of ``make test-matrix``.) p-values are written to four significant digits: their
relative accuracy falls as they get small (the tail of the t distribution amplifies round-off in
the statistic), and no reading of a p-value needs more.

A quantity that should be exactly zero (a reconstruction's moment minus its target, a change
that an optimizer did not make) carries round-off of about 1e-16 times the size of the numbers
it came from. :func:`snap_zero` writes it as 0 when ``|x| <= ZERO_RELATIVE * scale``, with the
scale of the quantities it was computed from (the target's magnitude, 1 for a correlation).
:data:`ZERO_RELATIVE` = 1e-9 is far above round-off and far below any difference the
companion reports (the smallest real differences are the paper's rounding, 5e-3).
"""

from __future__ import annotations

import math
import numbers
from decimal import Decimal

import numpy as np
import pandas as pd

__all__ = [
    "matches_published",
    "ESTIMATE_DIGITS",
    "P_VALUE_DIGITS",
    "ZERO_RELATIVE",
    "is_p_value_column",
    "format_number",
    "round_significant",
    "snap_zero",
    "format_table",
]

ESTIMATE_DIGITS = 7
"""Significant digits of every written estimate (three more than the paper prints)."""
P_VALUE_DIGITS = 4
"""Significant digits of every written p-value."""
ZERO_RELATIVE = 1e-9
"""A difference at most this times its scale is zero up to round-off (see :func:`snap_zero`)."""


def is_p_value_column(name: str) -> bool:
    """Whether a column holds p-values by the naming rule: ``p``, ``p_value``, ``p_*``, ``*_p``.

    >>> [is_p_value_column(c) for c in ("p", "p_hc3", "hc3_p", "power_0.05", "published")]
    [True, True, True, False, False]
    """
    name = str(name)
    return name == "p" or name.startswith("p_") or name.endswith("_p")


def format_number(value: float, digits: int = ESTIMATE_DIGITS) -> str:
    """``value`` with ``digits`` significant digits, in the shortest of fixed or exponent form.

    Zero (including -0.0) is ``"0"``; NaN is the empty string (a blank CSV field); infinities
    are ``"inf"`` and ``"-inf"``.

    >>> format_number(0.548860518), format_number(1020.20413974), format_number(5.8609424e-18, 4)
    ('0.5488605', '1020.204', '5.861e-18')
    >>> format_number(-0.0), format_number(float("nan")), format_number(26.0)
    ('0', '', '26')
    """
    value = float(value)
    if math.isnan(value):
        return ""
    if value == 0:
        return "0"
    return f"{value:.{digits}g}"


def round_significant(values, digits: int = ESTIMATE_DIGITS) -> np.ndarray:
    """``values`` rounded to ``digits`` significant digits, as floats (NaN kept).

    The float nearest to the decimal that :func:`format_number` writes, so a value read back
    from a written table equals ``round_significant`` of the value that was written.

    >>> round_significant([0.548860518, -1234.56789, 0.0], 4).tolist()
    [0.5489, -1235.0, 0.0]
    """
    arr = np.asarray(values, dtype=float)
    out = [float(format_number(v, digits)) if not math.isnan(v) and v != 0 else
           (math.nan if math.isnan(v) else 0.0) for v in arr.ravel()]
    return np.asarray(out, dtype=float).reshape(arr.shape)


def snap_zero(values, scale=1.0, *, rel: float = ZERO_RELATIVE):
    r"""Set to exactly 0 the entries that are zero up to round-off.

    Notes
    -----
    :math:`x_i \mapsto 0` when :math:`|x_i| \le \text{rel} \cdot |s_i|`, where :math:`s` is the
    scale of the quantities :math:`x` was computed from (broadcast against ``values``; for a
    difference :math:`a - b`, use :math:`\max(1, |b|)`). Negative zeros become positive zeros.
    Returns a float array, or a float if ``values`` is a scalar.

    >>> snap_zero([2.8e-14, 0.004, -1e-17], scale=[66.38, 1.0, 1.0]).tolist()
    [0.0, 0.004, 0.0]
    """
    arr = np.asarray(values, dtype=float)
    out = np.where(np.abs(arr) <= rel * np.abs(np.asarray(scale, dtype=float)), 0.0, arr)
    out = out + 0.0  # -0.0 + 0.0 == +0.0
    return float(out) if out.ndim == 0 else out


def _format_column(column: pd.Series, digits: int) -> pd.Series:
    def cell(v):
        if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
            return v
        if isinstance(v, numbers.Integral):
            return v
        return format_number(v, digits)

    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_integer_dtype(column):
        return column
    if pd.api.types.is_float_dtype(column):
        # each distinct value written once (NaN is code -1: the last text, ""); a table of
        # 200,000 scores has a few hundred distinct values
        where, distinct = pd.factorize(column.to_numpy(dtype=float, na_value=np.nan))
        text = np.array([format_number(v, digits) for v in distinct] + [""], dtype=object)
        return pd.Series(text[where], index=column.index, name=column.name, dtype=object)
    if column.dtype == object:
        return column.map(cell)
    return column


def format_table(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with every float cell written by the precision policy (as text).

    Integer, boolean and text cells are unchanged. Float cells become strings with
    :data:`P_VALUE_DIGITS` significant digits in p-value columns (:func:`is_p_value_column`)
    and :data:`ESTIMATE_DIGITS` elsewhere; NaN becomes an empty string. Columns of mixed
    objects are formatted cell by cell. The index is formatted the same way.

    >>> format_table(pd.DataFrame({"coef": [0.12345678901], "p": [0.012345678], "n": [26]}))
            coef       p   n
    0  0.1234568  0.01235  26
    """
    out = data.copy()
    for name in out.columns:
        digits = P_VALUE_DIGITS if is_p_value_column(name) else ESTIMATE_DIGITS
        out[name] = _format_column(out[name], digits)
    if pd.api.types.is_float_dtype(out.index):
        out.index = pd.Index([format_number(v) for v in out.index], name=out.index.name)
    return out


# --- reading: does a value round to a printed one? ----------------------------------------------

def matches_published(reproduced: float, published_value: float, decimals: int) -> bool:
    r"""True when ``reproduced`` rounds to ``published_value`` printed with ``decimals`` digits.

    Notes
    -----
    Match iff :math:`|x - p| \le \tfrac12 10^{-d}`, evaluated in decimal arithmetic on the
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
