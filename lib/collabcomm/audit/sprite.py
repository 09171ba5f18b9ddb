"""SPRITE with ranges: an actual sample of whole numbers with the printed mean, SD, minimum and
maximum (Heathers, Anaya, van der Zee & Brown 2018), with closed-form bounds that rule one out.

Exact integer and rational arithmetic throughout; the search is seeded and deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pandas as pd

from ..errors import ParameterError
from .grim import INTEGER_VARIABLES, grim_totals, printed_fraction, sample_sizes
from .grimmer import grimmer, grimmer_table, sd_interval, sum_of_squares_window
from .rows import _frame, _row

SPRITE_VERDICTS = ("found", "grim", "grimmer", "bhatia_davis", "extremes", "not_found")
"""What :func:`sprite` concludes: a sample was ``found``; no sample exists because the mean fails
GRIM, or the SD fails GRIMMER, or the SD lies beyond the Bhatia-Davis bound, or beyond the least
or greatest SD that whole numbers with both extremes attained can have (``extremes``); or the
bounded search found none although no bound rules one out (``not_found``)."""


_WHY = {"grim": "the mean fails GRIM", "grimmer": "the SD fails GRIMMER",
        "bhatia_davis": "the SD is above the Bhatia-Davis bound",
        "extremes": "the SD is beyond what whole numbers with both extremes can have",
        "not_found": "none found by the bounded search", "found": "found"}


@dataclass(frozen=True)
class SpriteResult:
    """Result of :func:`sprite`.

    ``verdict``: one of :data:`SPRITE_VERDICTS`. ``sample``: the sample found, sorted (empty
    otherwise). ``var_least`` and ``var_greatest``: the least and greatest sample variance of
    ``n`` whole numbers in the range with the mean's total(s) (both extremes attained when
    asked), ``var_bhatia_davis``: the Bhatia-Davis bound on it; None when GRIM fails.
    ``steps``: the moves the search made.
    """

    verdict: str
    sample: tuple[int, ...]
    var_least: Fraction | None
    var_greatest: Fraction | None
    var_bhatia_davis: Fraction | None
    steps: int

    @property
    def found(self) -> bool:
        return self.verdict == "found"


def sample_moments(sample) -> tuple[Fraction, Fraction]:
    """Exact mean and sample variance (n - 1) of whole numbers.

    >>> sample_moments([1, 2, 2, 5])
    (Fraction(5, 2), Fraction(3, 1))
    """
    xs = [int(v) for v in sample]
    n, t, q = len(xs), sum(xs), sum(v * v for v in xs)
    if n < 2:
        raise ParameterError(f"a sample needs at least 2 values for a variance, not {n}")
    return Fraction(t, n), (q - Fraction(t * t, n)) / (n - 1)


def bhatia_davis_variance(n: int, total: int, low: int, high: int) -> Fraction:
    r"""The Bhatia-Davis bound on the sample variance of ``n`` numbers in ``[low, high]`` with
    sum ``total``: :math:`\frac{n}{n-1}(b - \mu)(\mu - a)`, :math:`\mu = T/n`.

    Bhatia, R. & Davis, C. (2000), A better bound on the variance, *Amer. Math. Monthly* 107,
    353-357 (population variance :math:`\le (b-\mu)(\mu-a)`; times n/(n-1) for the sample one).

    >>> bhatia_davis_variance(2, 1, 0, 1)
    Fraction(1, 2)
    """
    mu = Fraction(total, n)
    return Fraction(n, n - 1) * (high - mu) * (mu - low)


def _spread(m: int, s: int, low: int, high: int, *, even: bool) -> list[int]:
    """``m`` whole numbers in [low, high] with sum ``s``: the most even split (``even``) or the
    most spread one (as many at the ends as possible, at most one in between)."""
    if m == 0:
        return []
    if even:
        q, r = divmod(s, m)
        return [q] * (m - r) + [q + 1] * r
    k, r = divmod(s - m * low, high - low)
    if k >= m:
        return [high] * m
    return [low] * (m - k - 1) + [low + r] + [high] * k


def extreme_variances(n: int, total: int, low: int, high: int, *, attained: bool = True
                      ) -> tuple[Fraction, Fraction] | None:
    r"""The least and greatest sample variance of ``n`` whole numbers in ``[low, high]`` with
    sum ``total``; with ``attained``, ``low`` and ``high`` must both occur. None if no such
    numbers exist.

    Notes
    -----
    With both extremes fixed, the other :math:`n - 2` values have sum :math:`T - a - b`. The
    sum of squares is least for their most even split (values :math:`q` and :math:`q + 1`)
    and greatest for the most spread one: as many at :math:`a` and :math:`b` as the sum allows
    and at most one value in between (a convex function on the polytope
    :math:`\{a \le x \le b, \sum x = S\}` is greatest at a vertex, and an integer point next to
    it). The greatest variance never exceeds the Bhatia-Davis bound
    (:func:`bhatia_davis_variance`). Without ``attained`` this is rsprite2's SD range for a
    scale (``.sd_limits``).

    Validated on rsprite2's published case (n = 5, mean 4.2, scale 1-7: SD 0.45 to 3.03) and
    against every sample of up to 7 values on 1-5 in the tests.

    >>> [round(math.sqrt(v), 4) for v in extreme_variances(5, 21, 1, 7, attained=False)]
    [0.4472, 3.0332]
    """
    n, total, low, high = int(n), int(total), int(low), int(high)
    if n < 2:
        raise ParameterError(f"n must be at least 2 for a variance, not {n}")
    if low > high:
        raise ParameterError(f"the minimum {low} is above the maximum {high}")
    fixed = [low, high] if attained else []
    m, s = n - len(fixed), total - sum(fixed)
    if m < 0 or not m * low <= s <= m * high:
        return None
    if low == high:
        return Fraction(0), Fraction(0)
    least = fixed + _spread(m, s, low, high, even=True)
    most = fixed + _spread(m, s, low, high, even=False)
    return sample_moments(least)[1], sample_moments(most)[1]


def _search(n: int, total: int, window: tuple[int, int], low: int, high: int, attained: bool,
            rng: np.random.Generator, budget: int) -> tuple[list[int] | None, int]:
    """A seeded search for ``n`` whole numbers in [low, high] with sum ``total`` and a sum of
    squares in ``window``: a random start, its sum adjusted, then pairs of values moved apart
    or together (which keeps the sum) until the sum of squares lands in the window. Returns
    (sample or None, moves made)."""
    fixed = [low, high] if attained else []
    m, s = n - len(fixed), total - sum(fixed)
    q_lo, q_hi = window
    steps = 0
    x = [int(v) for v in rng.integers(low, high + 1, size=m)]
    while sum(x) != s and steps < budget:  # adjust the sum, a random value at a time
        d = s - sum(x)
        movable = [i for i, v in enumerate(x) if (v < high if d > 0 else v > low)]
        i = movable[int(rng.integers(len(movable)))]
        size = min(abs(d), max(1, abs(d) // len(movable)),
                   high - x[i] if d > 0 else x[i] - low)
        x[i] += size if d > 0 else -size
        steps += 1
    q = sum(f * f for f in fixed) + sum(v * v for v in x)
    while steps < budget:
        if q_lo <= q <= q_hi:
            return sorted(fixed + x), steps
        steps += 1
        aim = (q_lo + q_hi) // 2 - q  # change wanted; moves change q by even amounts
        # never past the window: up to its far end when below it, down to its near end above
        least, most = (1, q_hi - q) if q < q_lo else (q_lo - q, -1)
        move = _pick_move(x, low, high, aim, least, most, rng)
        if move is None:
            return None, steps
        i, j, d = move  # x[i] up by d, x[j] down by d
        q += 2 * d * (x[i] - x[j] + d)
        x[i] += d
        x[j] -= d
    return None, steps


def _pick_move(x, low, high, aim, least, most, rng):
    """A move (i, j, d): raise x[i] and lower x[j] by d, changing the sum of squares by
    2d(x_i - x_j + d), within [least, most] and as close to ``aim`` as a random pair allows;
    the pair with the smallest change when a random one overshoots; None if none fits."""
    up = aim > 0
    idx = range(len(x))
    if up:  # spread apart: x_i >= x_j, i up, j down
        pairs = [(i, j) for i in idx if x[i] < high for j in idx
                 if j != i and low < x[j] <= x[i]]
    else:  # pull together: x_j >= x_i + 2
        pairs = [(i, j) for i in idx for j in idx if x[j] >= x[i] + 2]
    if not pairs:
        return None

    def change(i, j, d):
        return 2 * d * (x[i] - x[j] + d)

    def best_d(i, j):
        top = min(high - x[i], x[j] - low) if up else (x[j] - x[i]) // 2
        fits = [d for d in range(1, top + 1) if least <= change(i, j, d) <= most]
        if not fits:
            return None
        return min(fits, key=lambda d: (abs(change(i, j, d) - aim), d))

    i, j = pairs[int(rng.integers(len(pairs)))]
    d = best_d(i, j)
    if d is None:  # overshoots: the finest pair available
        i, j = min(pairs, key=lambda p: (abs(change(*p, 1)), p))
        d = best_d(i, j)
        if d is None:
            return None
    return i, j, d


def sprite(mean, mean_decimals: int, sd, sd_decimals: int, n: int, low: int, high: int, *,
           seed: int = 0, max_steps: int = 20000, attained: bool = True, ties: str = "either"
           ) -> SpriteResult:
    r"""SPRITE with a range: ``n`` whole numbers in ``[low, high]`` (both attained, by default)
    whose mean and sample SD round to the printed ones; or why there is none.

    Notes
    -----
    First the closed-form checks, each exact: GRIM (the integer totals :math:`T`), GRIMMER,
    the Bhatia-Davis bound :math:`s^2 \le \frac{n}{n-1}(b-\mu)(\mu-a)` on the printed SD's
    lower end, and the least and greatest variance of whole numbers in the range with both
    extremes attained (:func:`extreme_variances`), whose window of sums of squares must meet
    GRIMMER's (:func:`~collabcomm.audit.grimmer.sum_of_squares_window`). Then a search in the
    spirit of SPRITE (Heathers et al. 2018) and rsprite2's ``find_possible_distribution``: a
    random start in the range, its sum set to :math:`T` one value at a time, then pairs of
    values moved apart (:math:`x_i \ge x_j`: raise :math:`x_i`, lower :math:`x_j`) or
    together, which keeps the sum and changes :math:`\sum x^2` by :math:`2d(x_i - x_j + d)`,
    aiming at the middle of the window and never past it; a new random start when stuck.
    Random draws come from ``numpy.random.default_rng(seed)``, so the result is deterministic.
    The search stops after ``max_steps`` moves in all: ``not_found`` then means a bounded search
    found none, not that none exists. A sample found is checked exactly before it is returned.

    Heathers, J. A., Anaya, J., van der Zee, T. & Brown, N. J. L. (2018), Recovering data from
    summary statistics: Sample Parameter Reconstruction via Iterative TEchniques (SPRITE),
    *PeerJ Preprints* 6:e26968v1.

    Validated on rsprite2's documented case (mean 2.2, SD 1.3, N = 20, scale 1-5), and against
    an exhaustive enumeration of every sample of up to 7 values on 1-5 with both ends attained
    (the search finds a sample for every printed mean and SD that some sample has, and the
    bounds rule out the rest) in the tests.

    >>> sprite(2.2, 1, 1.3, 1, 20, 1, 5).sample
    (1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 5, 5)
    """
    for name, v in (("low", low), ("high", high)):
        if float(v) != int(float(v)):
            raise ParameterError(f"{name} must be a whole number, not {v}")
    low, high, n = int(float(low)), int(float(high)), int(n)
    if n < 2:
        raise ParameterError(f"n must be at least 2 for an SD, not {n}")
    if low > high:
        raise ParameterError(f"low ({low}) must not be above high ({high})")
    if max_steps < 1:
        raise ParameterError(f"max_steps must be at least 1, not {max_steps}")
    m_exact = printed_fraction(mean, mean_decimals)
    totals = sorted(grim_totals(mean, mean_decimals, n, ties=ties),
                    key=lambda t: (abs(Fraction(t, n) - m_exact), t))  # ties last
    if not totals:
        return SpriteResult("grim", (), None, None, None, 0)
    bounds = [b for t in totals if (b := extreme_variances(n, t, low, high, attained=attained))]
    least = min((b[0] for b in bounds), default=None)
    greatest = max((b[1] for b in bounds), default=None)
    bd = max(bhatia_davis_variance(n, t, low, high) for t in totals)

    def result(verdict, sample=(), steps=0):
        return SpriteResult(verdict, tuple(sample), least, greatest, bd, steps)

    if not grimmer(mean, mean_decimals, sd, sd_decimals, n, ties=ties):
        return result("grimmer")
    if sd_interval(sd, sd_decimals)[0] ** 2 > bd:
        return result("bhatia_davis")
    plans = []
    for t in totals:
        w, b = sum_of_squares_window(t, n, sd, sd_decimals, ties=ties), \
            extreme_variances(n, t, low, high, attained=attained)
        if w is None or b is None:
            continue
        q_least = b[0] * (n - 1) + Fraction(t * t, n)  # sums of squares, exact integers
        q_most = b[1] * (n - 1) + Fraction(t * t, n)
        lo, hi = max(w[0], int(q_least)), min(w[1], int(q_most))
        lo += (lo - t) % 2  # the parity of t
        if lo <= hi:
            plans.append((t, (lo, hi)))
    if not plans:
        return result("extremes")
    rng = np.random.default_rng(seed)
    steps = 0
    while steps < max_steps:
        for t, window in plans:
            found, used = _search(n, t, window, low, high, attained, rng, max_steps - steps)
            steps += used
            if found is not None:
                _verify(found, mean, mean_decimals, window, n, low, high, attained, ties)
                return result("found", found, steps)
            if steps >= max_steps:
                break
    return result("not_found", steps=steps)


def _verify(sample, mean, mean_decimals, window, n, low, high, attained, ties):
    """Check a sample exactly: its size, range, total (GRIM) and sum of squares (the window)."""
    t, q = sum(sample), sum(v * v for v in sample)
    ok = (len(sample) == n and min(sample) >= low and max(sample) <= high
          and (not attained or (min(sample) == low and max(sample) == high))
          and t in grim_totals(mean, mean_decimals, n, ties=ties)
          and window[0] <= q <= window[1])
    if not ok:
        raise AssertionError(f"SPRITE returned a sample that does not fit: {sample}")


def _root(v: Fraction | None) -> float:
    return math.sqrt(v) if v is not None else math.nan


def sprite_table(descriptives: pd.DataFrame, n: int, *, seed: int = 0, max_steps: int = 20000,
                 integer_variables: dict[str, str] | None = None) -> pd.DataFrame:
    """SPRITE for every integer-valued variable at every sample size of
    :func:`~collabcomm.audit.grim.sample_sizes` (where GRIM fails, the verdict is ``grim``).

    One row per variable and sample size: ``verdict`` (:data:`SPRITE_VERDICTS`), ``sample``
    (space-separated, sorted), ``sd_least``, ``sd_greatest`` (with both extremes attained),
    ``sd_bhatia_davis`` (floats, for showing; the verdicts use the exact values), ``steps``.
    """
    integer_variables = INTEGER_VARIABLES if integer_variables is None else integer_variables
    d = descriptives.set_index(["variable", "statistic"])
    rows = []
    for var in integer_variables:
        m, s = d.loc[(var, "mean")], d.loc[(var, "sd")]
        md, sdd = int(m["decimals"]), int(s["decimals"])
        for k in sample_sizes(n):
            r = sprite(m["value"], md, s["value"], sdd, k, d.loc[(var, "min"), "value"],
                       d.loc[(var, "max"), "value"], seed=seed, max_steps=max_steps)
            rows.append({"variable": var, "n": k, "verdict": r.verdict,
                         "sample": " ".join(str(v) for v in r.sample),
                         "sd_least": _root(r.var_least), "sd_greatest": _root(r.var_greatest),
                         "sd_bhatia_davis": _root(r.var_bhatia_davis), "steps": r.steps})
    return pd.DataFrame(rows)


def possible_n_table(descriptives: pd.DataFrame, n: int, *, seed: int = 0,
                     max_steps: int = 20000, integer_variables: dict[str, str] | None = None
                     ) -> pd.DataFrame:
    """GRIM, GRIMMER and SPRITE side by side for every integer-valued variable and sample size
    of :func:`~collabcomm.audit.grim.sample_sizes`: the columns of
    :func:`~collabcomm.audit.grimmer.grimmer_table` (``failed`` renamed ``grimmer_failed``),
    then ``sprite`` (the verdict) and the other columns of :func:`sprite_table`. Written to
    ``data/derived/audit_possible_n.csv``."""
    g = grimmer_table(descriptives, n, integer_variables).rename(
        columns={"failed": "grimmer_failed"})
    s = sprite_table(descriptives, n, seed=seed, max_steps=max_steps,
                     integer_variables=integer_variables).rename(columns={"verdict": "sprite"})
    return g.merge(s, on=["variable", "n"], how="left", validate="one_to_one")


def _listed(sizes) -> str:
    return ", ".join(str(int(k)) for k in sizes) or "none"


def possible_n_summary(table: pd.DataFrame) -> pd.DataFrame:
    """The sample sizes at which each variable passes GRIM, GRIMMER and SPRITE (from
    :func:`possible_n_table`), and a last row ``all`` with those every variable passes.

    Columns ``variable``, ``grim``, ``grimmer``, ``sprite`` (lists as text), ``tie_only`` (the
    sizes at which the mean is possible only through a tie).
    """
    rows, common = [], None
    for var, t in table.groupby("variable", sort=False):
        sets = {"grim": t[t["grim"]]["n"], "grimmer": t[t["grimmer"]]["n"],
                "sprite": t[t["sprite"] == "found"]["n"]}
        common = ({k: set(v) for k, v in sets.items()} if common is None
                  else {k: common[k] & set(v) for k, v in sets.items()})
        rows.append({"variable": var, **{k: _listed(v) for k, v in sets.items()},
                     "tie_only": _listed(t[t["grim_tie_only"]]["n"])})
    ties = set(table[table["grim_tie_only"]]["n"])
    rows.append({"variable": "all", **{k: _listed(sorted(v)) for k, v in (common or {}).items()},
                 "tie_only": _listed(sorted(ties & (common or {}).get("grim", set())))})
    return pd.DataFrame(rows)


def check_sprite(descriptives: pd.DataFrame, n: int, *, seed: int = 0, max_steps: int = 20000,
                 integer_variables: dict[str, str] | None = None,
                 table: pd.DataFrame | None = None) -> pd.DataFrame:
    """SPRITE at the paper's ``n`` for each integer-valued variable, as audit rows; the sample
    sizes with a sample found, and those ruled out, are listed (from :func:`sprite_table`)."""
    integer_variables = INTEGER_VARIABLES if integer_variables is None else integer_variables
    if table is None:
        table = sprite_table(descriptives, n, seed=seed, max_steps=max_steps,
                             integer_variables=integer_variables)
    d = descriptives.set_index(["variable", "statistic"])
    rows = []
    for var, why in integer_variables.items():
        t = table[(table["variable"] == var) & (table["verdict"] != "grim")
                  | (table["variable"] == var) & (table["n"] == n)]
        here = t[t["n"] == n].iloc[0]
        found = ", ".join(str(k) for k in t[t["verdict"] == "found"]["n"]) or "none"
        other = t[(t["verdict"] != "found") & (t["n"] != n)]
        other_text = "; ".join(f"N = {r.n} ({_WHY[r.verdict]})" for r in other.itertuples())
        printed = ", ".join(f"{d.loc[(var, st), 'value']:.{int(d.loc[(var, st), 'decimals'])}f}"
                            for st in ("mean", "sd", "min", "max"))
        status = {"found": "match", "not_found": "not_checkable", "grim": "not_checkable"
                  }.get(here["verdict"], "inconsistent")
        verdict = here["verdict"]
        at_n = {"found": "a sample was found", "not_found": "the bounded search found none",
                "grim": "the mean fails GRIM"}.get(verdict, f"ruled out ({_WHY[verdict]})")
        note = (f"integer-valued because {why}. Whole numbers in the printed range (both ends "
                f"attained) with the printed mean and SD, by exact bounds and a seeded search: "
                f"at N = {n} {at_n}. Found at N = {found}, of the sample sizes 16 to 40 at "
                f"which the mean passes GRIM" + (f"; not at {other_text}" if other_text else "")
                + ".")
        rows.append(_row("sprite", "2", f"a sample of {var} with the printed mean, SD, min and "
                         f"max at N = {n}", printed, f"found at N: {found}", status, note,
                         (var, "sd")))
    return _frame(rows)
