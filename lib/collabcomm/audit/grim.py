"""GRIM: can N whole numbers have the printed mean? (Brown & Heathers 2017), with ties, in exact
rational arithmetic.
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from .. import published
from ..errors import ParameterError
from .rows import _frame, _row

INTEGER_VARIABLES: dict[str, str] = {
    "api_2012": "API scores are reported by the state as whole numbers (200 to 1000)",
    "api_2011": "API scores are reported by the state as whole numbers (200 to 1000)",
    "school_size": "defined in the Methods as 'the number of full time teachers employed at the "
                   "site', a count (if it were full-time equivalents it need not be whole)",
}
"""Variables that are integer-valued by definition, and why (for GRIM)."""



GRIM_TIES = ("either", "half_up", "half_even")
"""How a mean exactly halfway between two printed values may have been rounded (see
:func:`grim`)."""


def sample_sizes(n: int) -> range:
    """The sample sizes the GRIM family of checks tries around the paper's ``n``: from n - 10
    (at least 2) to n + 14, i.e. 16 to 40 at the paper's N = 26."""
    return range(max(2, int(n) - 10), int(n) + 15)


def printed_fraction(value, decimals: int) -> Fraction:
    """The exact rational number a value printed with ``decimals`` digits stands for.

    ``value`` is the printed text (``"849.22"``) or the float read from it; the float is first
    written back with ``decimals`` digits, which recovers the printed decimal exactly for any
    number printed with at most 15 significant digits, so no binary round-off enters.

    >>> printed_fraction(849.22, 2), printed_fraction("0.1", 1) * 3 == Fraction(3, 10)
    (Fraction(42461, 50), True)
    """
    d = int(decimals)
    if d < 0:
        raise ParameterError(f"decimals must be at least 0, not {d}")
    text = value if isinstance(value, str) else f"{float(value):.{d}f}"
    return Fraction(Decimal(text.strip()))


def tie_accepted(printed: Fraction, decimals: int, below: bool, ties: str) -> bool:
    """Whether a true value exactly halfway between ``printed`` and its neighbour may have been
    printed as ``printed``. ``below``: the true value lies below ``printed`` (so rounding it
    half up, away from zero for a positive number, gives ``printed``).

    ``"either"`` accepts every tie; ``"half_up"`` one rounded away from zero; ``"half_even"``
    one whose printed last digit is even.
    """
    if ties not in GRIM_TIES:
        raise ParameterError(f"ties must be one of {GRIM_TIES}, not {ties!r}")
    if ties == "either":
        return True
    if ties == "half_up":
        return below == (printed > 0)
    return (abs(printed) * 10 ** int(decimals)).numerator % 2 == 0


def grim(mean: float, decimals: int, n: int, *, ties: str = "either") -> bool:
    r"""GRIM test: can ``n`` integers have a mean that rounds to ``mean`` (``decimals`` digits)?

    Notes
    -----
    True iff some integer total :math:`T` has :math:`T/n` inside the rounding interval of the
    printed mean :math:`m`, :math:`|T/n - m| \le h` with :math:`h = \tfrac12 10^{-d}` (Brown &
    Heathers 2017). Computed exactly, in rational arithmetic (:class:`fractions.Fraction` of
    the printed decimal, :func:`printed_fraction`), and the candidate totals are the integers
    :math:`\lceil n(m - h)\rceil \ldots \lfloor n(m + h)\rfloor` found with exact floor and
    ceiling, so no float comparison decides a boundary case (:func:`grim_totals`).

    A mean exactly on a boundary, :math:`T/n = m \pm h`, is a tie. ``ties`` says how the
    authors may have rounded it: ``"either"`` (default) accepts it, since round half up and
    round half to even are both common and the printed value does not say which was used, so
    the test flags only means that no usual rounding produces; ``"half_up"`` accepts
    :math:`m - h` but not :math:`m + h` (for positive means); ``"half_even"`` accepts a tie
    when the last printed digit of :math:`m` is even. :func:`grim_tie_only` tells when a
    verdict rests on a tie.

    Validated on the paper's means (849.22 is impossible at N = 26, possible at N = 40 only on
    the tie 849.225) and on hand-made cases in the tests.

    >>> grim(849.22, 2, 26), grim(849.23, 2, 26)
    (False, True)
    >>> grim(849.22, 2, 40), grim(849.22, 2, 40, ties="half_up"), grim_tie_only(849.22, 2, 40)
    (True, False, True)
    """
    if ties not in GRIM_TIES:
        raise ParameterError(f"ties must be one of {GRIM_TIES}, not {ties!r}")
    if n < 1:
        raise ParameterError(f"n must be at least 1, not {n}")
    return bool(_grim_totals(mean, decimals, n, ties)[0])


def grim_tie_only(mean: float, decimals: int, n: int) -> bool:
    """True when ``n`` integers can have the printed ``mean`` only through a tie (a total whose
    mean lies exactly halfway between two printed values)."""
    return _grim_tie(mean, decimals, n) is not None


def _grim_tie(mean: float, decimals: int, n: int) -> Decimal | None:
    """The tie value T/n when ``n`` integers reach the printed ``mean`` only through a tie,
    else None."""
    inside, ties_found = _grim_totals(mean, decimals, n, "either", split=True)
    return None if inside or not ties_found else Decimal(ties_found[0]) / Decimal(n)


def grim_totals(mean, decimals: int, n: int, *, ties: str = "either") -> list[int]:
    """Every integer total :math:`T` whose mean :math:`T/n` rounds to the printed ``mean``
    (``decimals`` digits; ``ties`` as in :func:`grim`), in increasing order; empty when GRIM
    fails. Exact: see :func:`grim`.

    >>> grim_totals(849.22, 2, 26), grim_totals(849.22, 2, 27), grim_totals(34.25, 2, 28)
    ([], [22929], [959])
    """
    if n < 1:
        raise ParameterError(f"n must be at least 1, not {n}")
    return _grim_totals(mean, decimals, n, ties)[0]


def _grim_totals(mean, decimals: int, n: int, ties: str, *, split: bool = False):
    """Integer totals T whose mean T/n rounds to ``mean``: (strictly inside or accepted ties,
    ties); with ``split`` the first list holds only the strictly inside totals."""
    if ties not in GRIM_TIES:
        raise ParameterError(f"ties must be one of {GRIM_TIES}, not {ties!r}")
    d = int(decimals)
    m = printed_fraction(mean, d)
    h = Fraction(1, 2 * 10**d)
    inside, on_tie = [], []
    for t in range(math.ceil((m - h) * n), math.floor((m + h) * n) + 1):
        x = Fraction(t, n)
        if abs(x - m) < h:
            inside.append(t)
        else:  # |x - m| == h: a tie
            on_tie.append(t)
            if not split and tie_accepted(m, d, x < m, ties):
                inside.append(t)
    return inside, on_tie


def grim_possible_text(mean: float, decimals: int, possible: list[int]) -> str:
    """The sample sizes at which a mean is possible, marking those that need a tie:
    ``"18, 23, 27, 32, 36, 37, 40 (only on the tie 849.225)"``."""
    parts = []
    for k in possible:
        tie = _grim_tie(mean, decimals, k)
        parts.append(str(k) if tie is None else f"{k} (only on the tie {tie})")
    return ", ".join(parts)


def check_grim(descriptives: pd.DataFrame, n: int,
               integer_variables: dict[str, str] | None = None) -> pd.DataFrame:
    """GRIM for each integer-valued variable's mean, plus whole-number minima and maxima.

    ``reproduced`` lists the sample sizes between n-10 and n+14 at which the mean would be
    possible, to show what the printed mean is compatible with.
    """
    integer_variables = INTEGER_VARIABLES if integer_variables is None else integer_variables
    rows = []
    d = descriptives.set_index(["variable", "statistic"])
    for var, why in integer_variables.items():
        m = d.loc[(var, "mean")]
        ok = grim(m["value"], int(m["decimals"]), n)
        possible = [k for k in sample_sizes(n) if grim(m["value"], int(m["decimals"]), k)]
        listed = grim_possible_text(m["value"], int(m["decimals"]), possible)
        total = printed_fraction(m["value"], int(m["decimals"])) * n
        total = Decimal(total.numerator) / Decimal(total.denominator)  # exact: a decimal
        note = (f"integer-valued because {why}. " + (
            f"No {n} whole numbers have a mean that rounds to {m['value']:.{int(m['decimals'])}f} "
            f"({n} x {m['value']:g} = {total:.2f}). Possible reasons: a different N behind the "
            f"mean, non-integer values (e.g. averaged or FTE data), or a typo. The mean is "
            f"possible at N = {listed} (ties rounded either way)." if not ok
            else f"possible at N = {n}."))
        rows.append(_row("grim", "2", f"mean of {var} at N = {n}", m["value"],
                         f"possible N: {listed}", "match" if ok else "inconsistent", note,
                         (var, "mean")))
        for stat in ("min", "max"):
            v = d.loc[(var, stat)]["value"]
            whole = float(v).is_integer()
            rows.append(_row("grim", "2", f"{stat} of {var} is a whole number", v,
                             "whole" if whole else "not whole",
                             "match" if whole else "inconsistent", f"integer-valued because {why}",
                             (var, stat)))
    return _frame(rows)


def grim_readme_text(audit_table: pd.DataFrame) -> str:
    """The README's GRIM finding, generated from ``data/derived/audit.csv``'s GRIM rows.

    A test checks that README.md contains this line, so the list of sample sizes is never
    typed by hand.
    """
    labels = published.variable_labels()
    decimals = published.descriptives().set_index(["variable", "statistic"])["decimals"]
    rows = audit_table[(audit_table["check"] == "grim")
                       & audit_table["quantity"].str.startswith("mean of ")]
    bad = rows[rows["status"] == "inconsistent"]
    if bad.empty:
        return "- **GRIM**: every mean of an integer-valued variable is possible at the paper's N."
    n = bad["quantity"].iloc[0].rsplit("= ", 1)[1]
    means, lists = [], []
    for r in bad.itertuples():
        var = r.quantity.split()[2]
        means.append(f"{labels[var]} ({float(r.published):.{int(decimals[(var, 'mean')])}f})")
        lists.append(f"{labels[var]} at N = {r.reproduced.split(': ', 1)[1]}")
    return (f"- **GRIM**: the means of {', '.join(means[:-1])} and {means[-1]} are impossible "
            f"for {n} whole numbers. They would be possible (N from {int(n) - 10} to "
            f"{int(n) + 14}; a mean exactly halfway between two printed values counted as "
            f"possible, since either rounding of a tie may have been used): "
            f"{'; '.join(lists)}.")
