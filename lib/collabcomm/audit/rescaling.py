"""Innocent explanations (b) and (c), tested: community variables rescaled, and standardized
rather than raw coefficients, in Exhibit 4 but not in Exhibits 2 and 3.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import ADDED, OUTCOME, regressors
from ..moments import assemble, batch_ols, moment_inputs
from ..schema import SCALES

CONTROLS = ("sed_pct", "api_2011", "school_size")
"""Model 1's regressors, in every model."""


def _interval(value: float, decimals: int) -> tuple[float, float]:
    h = 0.5 * 10.0 ** -int(decimals)
    return value - h, value + h


def _ratio(num: tuple[float, float], den: tuple[float, float]) -> tuple[float, float] | None:
    """The interval of a / b for a in ``num``, b in ``den`` (None if ``den`` holds 0)."""
    if den[0] <= 0 <= den[1]:
        return None
    corners = [a / b for a in num for b in den]
    return min(corners), max(corners)


def _slope_rows(fam: pd.DataFrame, regressions: pd.DataFrame, ranges: pd.DataFrame):
    """(model, term, published interval, implied range) for each row of a family of slopes."""
    pub = regressions.set_index(["model", "term"])
    rg = ranges.set_index(["model", "term"])
    for r in fam.itertuples():
        m, term = int(r.cell_col), r.cell_row
        p = pub.loc[(m, term)]
        yield m, term, _interval(p["value"], p["decimals"]), (rg.loc[(m, term), "low"],
                                                               rg.loc[(m, term), "high"])


def rescaled(fams, descriptives, correlations, regressions, n, ranges):
    r"""Explanation (b): community variables rescaled, :math:`x' = a x + c`, in Exhibit 4 but
    not in Exhibits 2 and 3.

    Notes
    -----
    Then :math:`b'_k = b_k / a_k`, every other slope, R-squared, t and p are unchanged, and the
    constant becomes :math:`b_0 - \sum_k b_k c_k / a_k` (a factor alone leaves
    :math:`b_k\bar x_k`, hence the constant, unchanged). Slopes: the factor
    :math:`1/a_k` a printed slope needs is the interval (printed interval) / (implied range) in
    each model; one factor per scale must fit every model with that scale (Models 2-5 and 6).
    Constants: the shifts :math:`c_k/a_k` that Models 2-5 need (one scale each) predict Model
    6's constant, in interval arithmetic over every rounding and implied range (an
    over-approximation, so an empty intersection is conclusive). The invariance of the other
    quantities is checked numerically: every community SD doubled changes no control slope,
    R-squared or p-value beyond round-off.
    """
    out = {}
    pub = regressions.set_index(["model", "term"])
    if "e4_community" in fams:
        parts, fits = [], True
        fam = fams["e4_community"][1]
        for scale in SCALES:
            need = [(m, _ratio(p, imp)) for m, term, p, imp in
                    _slope_rows(fam[fam["cell_row"] == scale], regressions, ranges)]
            if not need:
                continue
            lo = max(v[0] for _, v in need if v)
            hi = min(v[1] for _, v in need if v)
            fits &= lo <= hi and all(v for _, v in need)
            parts.append(f"{scale} " + " vs ".join(f"M{m} x[{v[0]:.3f}, {v[1]:.3f}]"
                                                    for m, v in need if v)
                         + (" (overlap)" if lo <= hi else " (no overlap)"))
        out["e4_community"] = ("can explain" if fits else "cannot explain",
                               "factor each printed slope needs over the implied one, per "
                               "model: " + "; ".join(parts))
    # invariance: double every community SD; controls' slopes, R-squared, p-values unchanged
    vs, mu, _, sd, _, pairs, r, _ = moment_inputs(descriptives, correlations)
    corr = assemble(r[None], pairs, len(vs))
    sd2 = sd.copy()
    sd2[[vs.index(s) for s in SCALES]] *= 2
    change = 0.0
    for m in ADDED:
        xi = [vs.index(t) for t in regressors(m)]
        a = batch_ols(corr, sd[None], mu[None], n, vs.index(OUTCOME), xi)
        b = batch_ols(corr, sd2[None], mu[None], n, vs.index(OUTCOME), xi)
        k = len(CONTROLS)
        change = max(change, float(np.abs(a["coef"][0, :k] - b["coef"][0, :k]).max()),
                     float(abs(a["r_squared"][0] - b["r_squared"][0])),
                     float(np.abs(a["p"][0, :-1] - b["p"][0, :-1]).max()))
    change = 0.0 if change < 1e-9 else change
    same = (f"with every community SD doubled, control slopes, R-squared and p-values change "
            f"by {change:g}")
    for key, what in (("e4_controls", "a community variable's scale leaves the other slopes "
                       "unchanged"), ("e4_r_squared", "R-squared is unchanged by any rescaling"),
                      ("e4_stars", "t and p are unchanged by any rescaling"),
                      ("e4_model2_star", "R-squared, t and p are unchanged by any rescaling")):
        if key in fams:
            out[key] = ("cannot explain", f"{what}: {same}")
    for var in ("api_2012", "api_2011", "school_size"):
        if f"grim_{var}" in fams:
            out[f"grim_{var}"] = ("cannot explain", f"{var} is not a community variable; "
                                  "rescaling the community scales leaves its mean unchanged")
    if "e4_constants" in fams:
        point, lo, hi = shifted_constant_range(descriptives, correlations, regressions, n)
        p6 = _interval(pub.loc[(6, "const"), "value"], pub.loc[(6, "const"), "decimals"])
        meet = lo <= p6[1] and p6[0] <= hi
        out["e4_constants"] = (
            "can explain" if meet else "cannot explain",
            "a factor alone leaves every constant unchanged; shifts of the four scales fitted "
            f"to Models 2-5 predict Model 6's constant {point:.1f}, [{lo:.1f}, {hi:.1f}] over "
            f"the rounding of Exhibits 2-3 and of the printed constants; printed "
            f"{pub.loc[(6, 'const'), 'value']:g}")
    return out


def shifted_constant_range(descriptives, correlations, regressions, n):
    r"""Model 6's constant predicted from shifts of the four community scales that reproduce
    the printed constants of Models 2-5: (value at the printed inputs, low, high).

    Notes
    -----
    A shift :math:`c_k` of scale :math:`k` (in units of its coefficient's scale) changes a
    model's constant by :math:`-b_k c_k`. Model :math:`m \in \{2..5\}` adds one scale, so
    :math:`c_k = (b_{0m} - \text{printed}_m) / b_{km}` from its implied constant and slope;
    Model 6 then has :math:`b_{06} - \sum_k b_{k6} c_k`. The range follows the method of
    :func:`~collabcomm.audit.exhibit4.exhibit4_ranges`: the prediction at the two corners of
    the box of Exhibits 2-3's rounding intervals in the direction of its gradient (central
    differences), widened by :math:`\sum_k |b_{k6}/b_{km}|\,h` for the printed constants'
    own rounding :math:`h`.
    """
    vs, mu, mu_h, sd, sd_h, pairs, r, r_h = moment_inputs(descriptives, correlations)
    p, nr, ns = len(vs), len(r), len(sd)
    x0 = np.concatenate([r, sd, mu])
    h = np.concatenate([r_h, sd_h, mu_h])
    pub = regressions.set_index(["model", "term"])
    yi = vs.index(OUTCOME)

    def fits(x):
        corr = assemble(x[:, :nr], pairs, p)
        sdx, mux = x[:, nr:nr + ns], x[:, nr + ns:]
        return {m: batch_ols(corr, sdx, mux, n, yi, [vs.index(t) for t in regressors(m)])
                for m in (2, 3, 4, 5, 6)}

    def predict(x):
        f = fits(x)
        pred = f[6]["coef"][:, -1].copy()
        for m in (2, 3, 4, 5):
            (scale,) = ADDED[m]
            c = (f[m]["coef"][:, -1] - pub.loc[(m, "const"), "value"]) / f[m]["coef"][:, -2]
            pred -= f[6]["coef"][:, regressors(6).index(scale)] * c
        return pred, f

    base, f0 = predict(x0[None])
    eye = np.eye(len(x0)) * (h * 1e-3)
    grad = predict(x0 + eye)[0] - predict(x0 - eye)[0]
    corners = predict(np.array([x0 + np.sign(grad) * h, x0 - np.sign(grad) * h]))[0]
    widen = sum(abs(f0[6]["coef"][0, regressors(6).index(ADDED[m][0])] / f0[m]["coef"][0, -2])
                * 0.5 * 10.0 ** -int(pub.loc[(m, "const"), "decimals"]) for m in (2, 3, 4, 5))
    return (float(base[0]), float(min(corners.min(), base[0]) - widen),
            float(max(corners.max(), base[0]) + widen))


def _mul(a, b):
    c = [x * y for x in a for y in b]
    return min(c), max(c)


STANDARDIZATIONS: dict[str, str] = {
    "beta": "fully standardized (b s_x / s_y)",
    "x_standardized": "per SD of the predictor (b s_x)",
    "y_standardized": "in SDs of API 2012 (b / s_y)",
}
"""The readings of a printed slope that explanation (c) tries."""


def standardized(fams, descriptives, correlations, regressions, n, ranges):
    r"""Explanation (c): Exhibit 4 printed standardized rather than raw slopes.

    Each printed slope is compared with the implied raw range times :math:`s_x/s_y`
    (standardized), :math:`s_x` or :math:`1/s_y` (:data:`STANDARDIZATIONS`), with the SDs over
    their rounding intervals. A reading explains a family of slopes only if every slope of the
    family then matches. Standardizing leaves R-squared, t and p unchanged and makes the
    constant 0 (or the mean of API 2012 when only the predictors are standardized), so it
    cannot explain those.
    """
    out = {}
    d = descriptives.set_index(["variable", "statistic"])

    def sd_range(v):
        return _interval(d.loc[(v, "sd"), "value"], d.loc[(v, "sd"), "decimals"])

    sy = sd_range(OUTCOME)
    for key in ("e4_community", "e4_controls"):
        if key not in fams:
            continue
        fam = fams[key][1]
        counts = {}
        for name in STANDARDIZATIONS:
            ok = 0
            for _, term, p, imp in _slope_rows(fam, regressions, ranges):
                sx = sd_range(term)
                factor = {"beta": _ratio(sx, sy), "x_standardized": sx,
                          "y_standardized": _ratio((1.0, 1.0), sy)}[name]
                lo, hi = _mul(imp, factor)
                ok += lo <= p[1] and p[0] <= hi
            counts[name] = ok
        total = len(fam)
        out[key] = ("can explain" if max(counts.values()) == total else "cannot explain",
                    "; ".join(f"{STANDARDIZATIONS[k]}: {v} of {total} slopes match"
                              for k, v in counts.items()))
    pub = regressions.set_index(["model", "term"])
    if "e4_constants" in fams:
        consts = sorted(pub.xs("const", level="term")["value"].dropna())
        out["e4_constants"] = ("cannot explain",
                               f"standardized models have constant 0 (or the mean of API 2012, "
                               f"{d.loc[(OUTCOME, 'mean'), 'value']:g}, with only the predictors "
                               f"standardized); printed {consts[0]:g} to {consts[-1]:g}")
    for key, what in (("e4_r_squared", "R-squared"), ("e4_stars", "t and p"),
                      ("e4_model2_star", "R-squared, t and p")):
        if key in fams:
            out[key] = ("cannot explain", f"{what} are the same for standardized and raw "
                        "coefficients")
    for var in ("api_2012", "api_2011", "school_size"):
        if f"grim_{var}" in fams:
            out[f"grim_{var}"] = ("cannot explain", "Exhibit 2's means are descriptive "
                                  "statistics, not coefficients")
    return out
