"""GRIMMER: can N whole numbers with the printed mean have the printed SD? (Anaya 2016; Allard
2018), in exact integer and rational arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from ..errors import ParameterError
from .grim import (
    INTEGER_VARIABLES,
    _grim_totals,
    grim_totals,
    printed_fraction,
    sample_sizes,
    tie_accepted,
)
from .rows import _frame, _row

GRIMMER_TESTS = ("grim", "sum_of_squares", "parity", "least_sum_of_squares")
"""GRIMMER's tests in the order they are applied; :attr:`GrimmerResult.failed` names the first
one that no candidate total passes (``""`` when the mean and SD are possible)."""


@dataclass(frozen=True)
class GrimmerResult:
    """Result of :func:`grimmer_test`.

    ``possible``: mean and SD are jointly possible for ``n`` whole numbers. ``failed``: the
    first test of :data:`GRIMMER_TESTS` that rules them out (``""`` if none). ``totals``: the
    integer totals :math:`T` GRIM allows. ``windows``: for each of them, the inclusive range
    ``(T, Q_low, Q_high)`` of integer sums of squares whose SD rounds to the printed one,
    before the parity and least-sum-of-squares tests (empty when none). ``sums_of_squares``:
    the pairs ``(T, Q)`` passing every test (at most the first 3 per total, enough to show).
    """

    possible: bool
    failed: str
    totals: tuple[int, ...]
    windows: tuple[tuple[int, int, int], ...]
    sums_of_squares: tuple[tuple[int, int], ...]


def sd_interval(sd, decimals: int) -> tuple[Fraction, Fraction]:
    """The exact rounding interval ``[s - h, s + h]`` of a printed SD, with ``h`` half a unit
    of its last digit and the lower end clipped at 0."""
    s = printed_fraction(sd, decimals)
    if s < 0:
        raise ParameterError(f"sd must not be negative, not {sd}")
    h = Fraction(1, 2 * 10 ** int(decimals))
    return max(s - h, Fraction(0)), s + h


def sum_of_squares_window(total: int, n: int, sd, decimals: int, *, ties: str = "either"
                          ) -> tuple[int, int] | None:
    r"""The integer sums of squares :math:`Q = \sum x_i^2` for which ``n`` numbers with sum
    ``total`` have a sample SD that rounds to the printed ``sd``; ``(Q_low, Q_high)``
    inclusive, or None when there is none.

    Notes
    -----
    The sample variance is :math:`v = (Q - T^2/n)/(n-1)`, so :math:`v \in [(s-h)^2, (s+h)^2]`
    iff :math:`T^2 + n(n-1)(s-h)^2 \le nQ \le T^2 + n(n-1)(s+h)^2`: integer bounds found
    with exact floor and ceiling of rationals. A :math:`Q` exactly on a bound is a tie of the
    SD's rounding, kept or dropped by ``ties`` (:func:`~collabcomm.audit.grim.tie_accepted`).
    This is Anaya's (2016) sum-of-squares bound, which Allard (2018) and scrutiny's
    ``grimmer()`` evaluate in floating point.
    """
    if n < 2:
        raise ParameterError(f"n must be at least 2 for an SD, not {n}")
    lo, hi = sd_interval(sd, decimals)
    s = printed_fraction(sd, decimals)
    t2, k = Fraction(total) ** 2, n * (n - 1)
    low, high = (t2 + k * lo**2) / n, (t2 + k * hi**2) / n
    q_low, q_high = math.ceil(low), math.floor(high)
    if q_low == low and lo > 0 and not tie_accepted(s, decimals, True, ties):
        q_low += 1
    if q_high == high and not tie_accepted(s, decimals, False, ties):
        q_high -= 1
    return (q_low, q_high) if q_low <= q_high else None


def least_sum_of_squares(total: int, n: int) -> int:
    r"""The least :math:`\sum x_i^2` of ``n`` integers with sum ``total``: the most even split,
    :math:`n - r` values :math:`q` and :math:`r` values :math:`q + 1`, with
    :math:`T = qn + r`, :math:`0 \le r < n`.

    >>> least_sum_of_squares(21, 5), least_sum_of_squares(-3, 2)
    (89, 5)
    """
    q, r = divmod(int(total), int(n))
    return (n - r) * q * q + r * (q + 1) ** 2


def grimmer_test(mean, mean_decimals: int, sd, sd_decimals: int, n: int, *,
                 ties: str = "either") -> GrimmerResult:
    r"""GRIMMER: can ``n`` integers have a mean that rounds to ``mean`` and a sample SD (n - 1)
    that rounds to ``sd``? Every test in exact arithmetic.

    Notes
    -----
    For each integer total :math:`T` that GRIM allows (:func:`~collabcomm.audit.grim.grim_totals`;
    all of them, not only the nearest, which matters when :math:`n > 10^d`), an integer sum of
    squares :math:`Q` must

    1. lie in the window where the SD rounds to the printed one,
       :math:`T^2 + n(n-1)(s-h)^2 \le nQ \le T^2 + n(n-1)(s+h)^2`
       (:func:`sum_of_squares_window`; Anaya 2016, Allard 2018's first test). Allard's second
       test recomputes the SD from each such :math:`Q` and rounds it; in exact arithmetic it
       passes exactly when the first does, so it is not repeated;
    2. have the parity of :math:`T`, since :math:`x^2 \equiv x \pmod 2` (Allard 2018's third
       test);
    3. be at least the least sum of squares of ``n`` integers with total :math:`T`
       (:func:`least_sum_of_squares`): a condition that whole numbers impose beyond
       :math:`Q \ge T^2/n`; it matters only for SDs near 0.

    These are necessary conditions; :mod:`~collabcomm.audit.sprite` then looks for an actual
    sample. Ties of either rounding follow ``ties`` (as in GRIM).

    References: Anaya, J. (2016), The GRIMMER test, *PeerJ Preprints* 4:e2400; Allard, A. (2018),
    Analytic-GRIMMER; scrutiny (Jung) ``grimmer()``; rsprite2 (Wallrich) ``GRIMMER_test()``.

    Validated against the published cases of rsprite2's and scrutiny's tests and documentation
    (5.21, 1.6, N = 28 possible; 3.44, 2.47, N = 18 impossible; 5.19, 1.5, N = 28 fails GRIM;
    2.57, 2.57, N = 30 possible; 3.33, 1.234, N = 250 possible through two totals with SDs
    1.2339 and 1.2345), and against every sample of up to 8 values on a 1-5 scale (each
    sample's printed mean and SD must pass) in the tests.

    >>> grimmer_test(5.21, 2, 1.6, 1, 28).possible, grimmer_test(3.44, 2, 2.47, 2, 18).failed
    (True, 'parity')
    """
    if n < 2:
        raise ParameterError(f"n must be at least 2 for an SD, not {n}")
    totals = tuple(grim_totals(mean, mean_decimals, n, ties=ties))
    if not totals:
        return GrimmerResult(False, "grim", (), (), ())
    windows, passing, reached = [], [], 0
    for t in totals:
        w = sum_of_squares_window(t, n, sd, sd_decimals, ties=ties)
        if w is None:
            continue
        windows.append((t, *w))
        reached = max(reached, 1)
        first = w[0] + ((w[0] - t) % 2)  # the first Q of T's parity
        if first > w[1]:
            continue
        reached = max(reached, 2)
        least = least_sum_of_squares(t, n)
        start = max(first, least + ((least - t) % 2))
        passing += [(t, q) for q in range(start, min(w[1], start + 4) + 1, 2)][:3]
    failed = "" if passing else GRIMMER_TESTS[reached + 1]
    return GrimmerResult(bool(passing), failed, totals, tuple(windows), tuple(passing))


def grimmer(mean, mean_decimals: int, sd, sd_decimals: int, n: int, *,
            ties: str = "either") -> bool:
    """True when ``n`` whole numbers can have the printed mean and SD (:func:`grimmer_test`).

    >>> grimmer(849.22, 2, 66.38, 2, 26), grimmer(849.22, 2, 66.38, 2, 27)
    (False, True)
    """
    return grimmer_test(mean, mean_decimals, sd, sd_decimals, n, ties=ties).possible


def nearest_totals(mean, decimals: int, n: int) -> tuple[int, ...]:
    """The integer totals nearest to ``n`` times the printed mean (one, or two when it lies
    halfway): what GRIMMER's SD test can still be applied to when GRIM fails."""
    x = printed_fraction(mean, decimals) * n
    return tuple(sorted({math.floor(x), math.ceil(x)})) if x.denominator == 2 else (round(x),)


def sd_possible_with_totals(totals, n: int, sd, sd_decimals: int, *, ties: str = "either"
                            ) -> bool:
    """Whether the printed SD passes GRIMMER's SD tests (window, parity, least sum of squares)
    with any of the given integer totals, whatever the mean."""
    for t in totals:
        w = sum_of_squares_window(t, n, sd, sd_decimals, ties=ties)
        if w is None:
            continue
        least = least_sum_of_squares(t, n)
        start = max(w[0] + ((w[0] - t) % 2), least + ((least - t) % 2))
        if start <= w[1]:
            return True
    return False


def grimmer_table(descriptives: pd.DataFrame, n: int,
                  integer_variables: dict[str, str] | None = None) -> pd.DataFrame:
    """GRIM and GRIMMER for every integer-valued variable at every sample size of
    :func:`~collabcomm.audit.grim.sample_sizes` (16 to 40 at N = 26).

    One row per variable and ``n``: ``grim`` (the mean is possible), ``grim_tie_only`` (only
    through a tie), ``grimmer`` (mean and SD jointly possible), ``failed`` (the first GRIMMER
    test that fails), ``totals`` (the integer totals GRIM allows, space-separated).
    """
    integer_variables = INTEGER_VARIABLES if integer_variables is None else integer_variables
    d = descriptives.set_index(["variable", "statistic"])
    rows = []
    for var in integer_variables:
        m, s = d.loc[(var, "mean")], d.loc[(var, "sd")]
        for k in sample_sizes(n):
            res = grimmer_test(m["value"], int(m["decimals"]), s["value"], int(s["decimals"]), k)
            strict = _grim_totals(m["value"], int(m["decimals"]), k, "either", split=True)[0]
            rows.append({"variable": var, "n": k, "grim": bool(res.totals),
                         "grim_tie_only": bool(res.totals) and not strict,
                         "grimmer": res.possible, "failed": res.failed,
                         "totals": " ".join(str(t) for t in res.totals)})
    return pd.DataFrame(rows)


def jointly_possible(table: pd.DataFrame, variable: str) -> list[int]:
    """The sample sizes at which ``variable``'s mean and SD are jointly possible (GRIMMER),
    from :func:`grimmer_table`."""
    t = table[(table["variable"] == variable) & table["grimmer"]]
    return [int(k) for k in t["n"]]


def check_grimmer(descriptives: pd.DataFrame, n: int,
                  integer_variables: dict[str, str] | None = None) -> pd.DataFrame:
    """GRIMMER for each integer-valued variable's SD at the paper's ``n``, as audit rows.

    Where the mean already fails GRIM at ``n`` there is no total to test the SD with, so the
    row is ``not_checkable``; its note says whether the SD alone would be possible with the
    nearest totals, and ``reproduced`` lists the sample sizes (16 to 40) at which mean and SD
    are jointly possible.
    """
    integer_variables = INTEGER_VARIABLES if integer_variables is None else integer_variables
    table = grimmer_table(descriptives, n, integer_variables)
    d = descriptives.set_index(["variable", "statistic"])
    rows = []
    for var, why in integer_variables.items():
        m, s = d.loc[(var, "mean")], d.loc[(var, "sd")]
        md, sdd = int(m["decimals"]), int(s["decimals"])
        res = grimmer_test(m["value"], md, s["value"], sdd, n)
        joint = ", ".join(str(k) for k in jointly_possible(table, var)) or "none"
        shown = f"{s['value']:.{sdd}f}"
        if res.failed == "grim":
            near = nearest_totals(m["value"], md, n)
            alone = sd_possible_with_totals(near, n, s["value"], sdd)
            status = "not_checkable"
            note = (f"integer-valued because {why}. The mean fails GRIM at N = {n}, so no "
                    f"total is left to test the SD with. With the nearest total(s) "
                    f"{' or '.join(str(t) for t in near)} the SD {shown} "
                    f"{'would be' if alone else 'would not be'} possible. Mean and SD are "
                    f"jointly possible (GRIMMER, exact arithmetic) at N = {joint} (16 to 40).")
        else:
            status = "match" if res.possible else "inconsistent"
            note = (f"integer-valued because {why}. " + (
                f"possible at N = {n}." if res.possible else
                f"GRIMMER's {res.failed.replace('_', ' ')} test fails at N = {n}.")
                + f" Jointly possible at N = {joint} (16 to 40).")
        rows.append(_row("grimmer", "2", f"SD of {var} with its mean at N = {n}", shown,
                         f"jointly possible N: {joint}", status, note, (var, "sd")))
    return _frame(rows)
