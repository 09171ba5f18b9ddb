"""Exhibit 4 against Exhibits 2 and 3 (closed-form OLS from the moments, rounding propagated),
and Exhibit 4's internal consistency (partial F-tests).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import ADDED, OUTCOME, regressors
from ..moments import assemble, batch_ols, moment_inputs
from ..significance import legend
from .rows import _frame, _row


def exhibit4_ranges(descriptives: pd.DataFrame, correlations: pd.DataFrame, n: int, *,
                    draws: int = 4000, seed: int = 0) -> pd.DataFrame:
    """What Exhibits 2 and 3 imply for Exhibit 4, allowing for the rounding of every input.

    Each published correlation, SD and mean is only known to within half a unit of its last
    printed digit. This function evaluates the six models (closed form) at (i) the printed
    values, (ii) ``draws`` Monte Carlo draws uniform over every input's rounding interval
    (positive-definite draws only), and (iii) for every output, the two corners of the box of
    rounding intervals in the direction of that output's gradient (finite differences), which
    approximate its extremes where the Monte Carlo is thin. Seeded and deterministic.

    Returns one row per model and term (regressors, ``const``, ``r_squared``): ``model``,
    ``term``, ``implied`` (at the printed values), ``low``, ``high`` (over all evaluations),
    ``p_low``, ``p_high`` (two-tailed p of the coefficient; NaN for R-squared).
    """

    vs, mu, mu_h, sd, sd_h, pairs, r, r_h = moment_inputs(descriptives, correlations)
    p = len(vs)
    x0 = np.concatenate([r, sd, mu])
    h = np.concatenate([r_h, sd_h, mu_h])
    nr, ns = len(r), len(sd)

    def evaluate(x):  # x (B, inputs) -> dict model -> outputs
        corr = assemble(x[:, :nr], pairs, p)
        ok = np.linalg.eigvalsh(corr)[:, 0] > 1e-10
        sdx, mux = x[:, nr:nr + ns], x[:, nr + ns:]
        out = {}
        for m in ADDED:
            xi = [vs.index(t) for t in regressors(m)]
            res = batch_ols(corr[ok], sdx[ok], mux[ok], n, vs.index(OUTCOME), xi)
            out[m] = res
        return out, ok

    rng = np.random.default_rng(seed)
    mc = x0 + rng.uniform(-1, 1, (draws, len(x0))) * h
    # gradients by central differences, all outputs at once
    eye = np.eye(len(x0)) * (h * 1e-3)
    plus, _ = evaluate(x0 + eye)
    minus, _ = evaluate(x0 - eye)
    base, _ = evaluate(x0[None])
    corners = []
    for m in ADDED:
        grads = [(plus[m]["coef"] - minus[m]["coef"]).T, (plus[m]["r_squared"] -
                                                          minus[m]["r_squared"])[None]]
        for g in np.concatenate(grads, axis=0):
            corners += [x0 + np.sign(g) * h, x0 - np.sign(g) * h]
    allx = np.concatenate([mc, np.array(corners)])
    res, _ = evaluate(allx)
    rows = []
    for m in ADDED:
        terms = [*regressors(m), "const"]
        for j, term in enumerate(terms):
            c = np.append(res[m]["coef"][:, j], base[m]["coef"][0, j])
            pv = np.append(res[m]["p"][:, j], base[m]["p"][0, j])
            rows.append((m, term, base[m]["coef"][0, j], c.min(), c.max(), pv.min(), pv.max()))
        r2 = np.append(res[m]["r_squared"], base[m]["r_squared"][0])
        rows.append((m, "r_squared", base[m]["r_squared"][0], r2.min(), r2.max(), np.nan,
                     np.nan))
    return pd.DataFrame(rows, columns=["model", "term", "implied", "low", "high", "p_low",
                                       "p_high"])


def _stars_interval(symbol: str, levels: list[tuple[str, float]]) -> tuple[float, float]:
    """The p-value interval a star symbol stands for, e.g. '*' -> [.01, .05)."""
    bounds = sorted(t for _, t in levels)
    if symbol == "":
        return bounds[-1], 1.0
    t = dict(levels)[symbol]
    below = [b for b in bounds if b < t]
    return (below[-1] if below else 0.0), t


def check_exhibit4_from_moments(descriptives: pd.DataFrame, correlations: pd.DataFrame,
                                regressions: pd.DataFrame, n: int, *, draws: int = 4000,
                                seed: int = 0, levels: list[tuple[str, float]] | None = None,
                                ranges: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every in-model cell of Exhibit 4 against the range Exhibits 2 and 3 imply.

    A value is ``inconsistent`` only when its own rounding interval lies wholly outside the
    implied range; a star is ``inconsistent`` only when no implied p-value falls in the
    interval the star stands for. Model 1's blank constant is ``not_checkable``. ``ranges``:
    :func:`exhibit4_ranges` of these moments at this ``n``, when already computed (checking
    several versions of Exhibit 4 against the same Exhibits 2 and 3).
    """

    levels = legend(4) if levels is None else levels
    if ranges is None:
        ranges = exhibit4_ranges(descriptives, correlations, n, draws=draws, seed=seed)
    ranges = ranges.set_index(["model", "term"])
    rows = []
    for c in regressions[regressions["in_model"]].itertuples():
        if c.term == "n_obs":
            continue
        q = f"Model {c.model}: {c.term}"
        rg = ranges.loc[(c.model, c.term)]
        rep = f"{rg['implied']:.4g} [{rg['low']:.4g}, {rg['high']:.4g}]"
        if np.isnan(c.value):
            rows.append(_row("exhibit4_from_moments", "4", q, "", rep, "not_checkable",
                             "blank in Exhibit 4; the published moments imply the value shown",
                             (c.term, c.model)))
            continue
        h = 0.5 * 10.0 ** -int(c.decimals)
        ok = (c.value + h >= rg["low"]) and (c.value - h <= rg["high"])
        shown = f"{c.value:.{int(c.decimals)}f}"
        rows.append(_row("exhibit4_from_moments", "4", q, shown, rep,
                         "match" if ok else "inconsistent",
                         "implied by Exhibits 2 and 3 at the printed values [range over their "
                         "rounding]" + ("" if ok else "; the published value lies outside what "
                                        "rounding of Exhibits 2 and 3 can explain"),
                         (c.term, c.model)))
        if c.term != "r_squared":
            lo_p, hi_p = _stars_interval(c.stars, levels)
            s_ok = rg["p_low"] < hi_p and rg["p_high"] >= lo_p
            rows.append(_row("exhibit4_stars_from_moments", "4", f"{q} (stars)",
                             f"{shown}{c.stars}",
                             f"p in [{rg['p_low']:.2g}, {rg['p_high']:.2g}]",
                             "match" if s_ok else "inconsistent",
                             f"'{c.stars}' means p in [{lo_p}, {hi_p})", (c.term, c.model)))
    return _frame(rows)


def gain_test(r1: float, h1: float, rk: float, hk: float, df2: int
              ) -> tuple[float, float, float, float]:
    """The partial F-test of one added regressor from two printed R-squared values known to
    within ``h1`` and ``hk``: ``(f_lo, f_hi, p_lo, p_hi)`` on (1, ``df2``) degrees of freedom
    (the formula is in :func:`check_exhibit4_internal`)."""
    from scipy import stats as st

    f_lo = max((rk - hk) - (r1 + h1), 0) / ((1 - (rk - hk)) / df2)
    f_hi = ((rk + hk) - (r1 - h1)) / ((1 - (rk + hk)) / df2)
    return f_lo, f_hi, float(st.f.sf(f_hi, 1, df2)), float(st.f.sf(f_lo, 1, df2))


def internal_inconsistent(r_squared: dict[int, tuple[float, int]], stars: dict[int, str],
                          n: int, levels: list[tuple[str, float]]) -> int:
    """How many of Models 2-5's stars disagree with their R-squared gains (the count of
    ``inconsistent`` rows of :func:`check_exhibit4_internal`), from each model's printed
    R-squared ``(value, decimals)`` and added regressor's star."""
    df2 = n - len(ADDED[1]) - 3 - 2
    v1, d1 = r_squared[1]
    bad = 0
    for m in (2, 3, 4, 5):
        vk, dk = r_squared[m]
        _, _, p_lo, p_hi = gain_test(v1, 0.5 * 10.0 ** -d1, vk, 0.5 * 10.0 ** -dk, df2)
        lo, hi = _stars_interval(stars[m], levels)
        bad += not (p_lo < hi and p_hi >= lo)
    return bad


def check_exhibit4_internal(regressions: pd.DataFrame, n: int, *,
                            levels: list[tuple[str, float]] | None = None) -> pd.DataFrame:
    r"""Models 2-5 each add one regressor to Model 1 on the same N: the added variable's
    two-tailed p equals that of the partial F-test implied by the R-squared gain.

    Notes
    -----
    :math:`F = (R^2_k - R^2_1) / ((1 - R^2_k)/(n - 5))` on (1, n - 5) degrees of freedom,
    and :math:`t^2 = F`. With R-squared known only to its printed digits, F ranges from
    :math:`(R^2_{k,\min} - R^2_{1,\max})/\ldots` to :math:`(R^2_{k,\max} - R^2_{1,\min})/\ldots`;
    the printed star is consistent when its p interval meets the implied one.
    """
    levels = legend(4) if levels is None else levels
    reg = regressions.set_index(["model", "term"])
    r1 = reg.loc[(1, "r_squared")]
    h1 = 0.5 * 10.0 ** -int(r1["decimals"])
    df2 = n - len(ADDED[1]) - 3 - 2
    rows = []
    for m in (2, 3, 4, 5):
        term = ADDED[m][0]
        rk = reg.loc[(m, "r_squared")]
        hk = 0.5 * 10.0 ** -int(rk["decimals"])
        f_lo, f_hi, p_lo, p_hi = gain_test(r1["value"], h1, rk["value"], hk, df2)
        cell = reg.loc[(m, term)]
        lo, hi = _stars_interval(cell["stars"], levels)
        ok = p_lo < hi and p_hi >= lo
        rows.append(_row(
            "exhibit4_internal", "4", f"Model {m}: star of {term} vs R-squared gain over Model 1",
            f"{cell['value']:g}{cell['stars']} (R2 {rk['value']:g} vs {r1['value']:g})",
            f"F(1, {df2}) in [{f_lo:.2f}, {f_hi:.2f}], p in [{p_lo:.2g}, {p_hi:.2g}]",
            "match" if ok else "inconsistent",
            f"'{cell['stars']}' means p in [{lo}, {hi})" + ("" if ok else
            "; the R-squared gain implies a different significance level. Possible reasons: "
            "different samples or models behind the R-squared and the coefficient, or a typo"),
            (term, m)))
    return _frame(rows)
