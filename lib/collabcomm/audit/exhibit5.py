"""Exhibit 5's item coefficients against Exhibits 3 and 4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import ADDED, OUTCOME
from ..moments import assemble, moment_inputs, ols_from_moments
from ..schema import CONTROLS, SCALES
from ..significance import legend
from .rows import _frame, _row


def implied_residual_correlations(descriptives: pd.DataFrame, correlations: pd.DataFrame,
                                  n: int) -> pd.Series:
    r"""Correlation of each community scale with the Model 1 residuals implied by the moments.

    Notes
    -----
    With Model 1's slopes :math:`b` on the controls :math:`C`,
    :math:`\operatorname{cov}(x, e_1) = \operatorname{cov}(x, y) - \sum_c b_c \operatorname{cov}(x, c)`
    and :math:`\operatorname{var}(e_1) = (1 - R_1^2) s_y^2`.
    """

    vs, mu, _, sd, _, pairs, r, _ = moment_inputs(descriptives, correlations)
    corr = pd.DataFrame(assemble(r[None], pairs, len(vs))[0], vs, vs)
    sds, means = pd.Series(sd, vs), pd.Series(mu, vs)
    m1 = ols_from_moments(corr, sds, means, n, OUTCOME, list(CONTROLS))

    def cov(a, b):
        return corr.loc[a, b] * sds[a] * sds[b]

    var_e = (1 - m1.r_squared) * sds[OUTCOME] ** 2
    return pd.Series({s: (cov(s, OUTCOME) - sum(m1.coef[c] * cov(s, c) for c in CONTROLS))
                      / np.sqrt(var_e) / sds[s] for s in SCALES})


def check_exhibit5(descriptives: pd.DataFrame, correlations: pd.DataFrame,
                   regressions: pd.DataFrame, item_results: pd.DataFrame, n: int, *,
                   levels: list[tuple[str, float]] | None = None) -> pd.DataFrame:
    r"""Are Exhibit 5's item coefficients compatible in size with the scale-level results?

    Reasoning (school-level reading of Exhibit 5: each coefficient is the correlation of an
    item's school mean with the Model 1 residual). A scale score is the mean of its five items.
    If the items' school means correlate non-negatively with one another, as items of one
    scale should, the Cauchy-Schwarz inequality bounds the scale's correlation with the
    residual by :math:`\sqrt{\sum_k r_k^2}`, the root sum of squares of its items'
    coefficients (taken at the top of their rounding intervals). This bound is compared with
    (i) the correlation Exhibits 2 and 3 imply (:func:`implied_residual_correlations`), and
    (ii) the smallest correlation compatible with the scale's star in Models 2-5 of Exhibit 4:
    a two-tailed p below the star's threshold on n - 5 df needs a partial correlation
    :math:`r_p > t_c/\sqrt{t_c^2 + df}`, and :math:`\operatorname{corr}(x, e_1) = r_p
    \sqrt{1 - R^2_{x|C}}` with :math:`R^2_{x|C}` from Exhibit 3. The signs within each scale
    are checked too.
    """
    from scipy import stats as st


    levels = legend(4) if levels is None else levels
    implied = implied_residual_correlations(descriptives, correlations, n)
    vs, mu, _, sd, _, pairs, r, _ = moment_inputs(descriptives, correlations)
    corr = pd.DataFrame(assemble(r[None], pairs, len(vs))[0], vs, vs)
    sds, means = pd.Series(sd, vs), pd.Series(mu, vs)
    df = n - len(CONTROLS) - 2
    rows = []
    for s in SCALES:
        items = item_results[item_results["item_id"].str.startswith(s + "_")]
        top = items["value"].abs() + 0.5 * 10.0 ** -items["decimals"].astype(float)
        bound = float(np.sqrt((top**2).sum()))
        signs = set(np.sign(items["value"]))
        rows.append(_row("exhibit5_signs", "5", f"{s}: items share one sign",
                         ", ".join(f"{v:g}" for v in items["value"]),
                         "one sign" if len(signs) == 1 else "mixed signs",
                         "match" if len(signs) == 1 else "inconsistent",
                         "the paper: 'all the items composing each of the Community types have "
                         "similar effects in direction'", (s, "*")))
        ok = abs(implied[s]) <= bound
        rows.append(_row(
            "exhibit5_vs_exhibit3", "5", f"{s}: |corr(scale, Model 1 residual)| <= "
            "sqrt(sum of squared item coefficients)", f"bound {bound:.3f}",
            f"implied by Exhibits 2-3: {implied[s]:.3f}", "match" if ok else "inconsistent",
            "school-level reading, items of a scale non-negatively correlated" + ("" if ok else
            "; the scale correlates with the residuals more strongly than its items allow. "
            "Possible reasons: Exhibit 5 computed at teacher level (within-school variation "
            "dilutes correlations), on a different sample, or with different residuals"),
            (s, "*")))
        model = next(m for m, add in ADDED.items() if add == (s,))
        cell = regressions[(regressions.model == model) & (regressions.term == s)].iloc[0]
        if cell["stars"]:
            thresh = dict(levels)[cell["stars"]]
            tc = st.t.isf(thresh / 2, df)
            rp = tc / np.sqrt(tc**2 + df)
            r2 = ols_from_moments(corr, sds, means, n, s, list(CONTROLS)).r_squared
            need = rp * np.sqrt(1 - r2)
            ok = need <= bound
            rows.append(_row(
                "exhibit5_vs_exhibit4", "5", f"{s}: correlation needed by Model {model}'s "
                f"'{cell['stars']}' vs the items' bound", f"bound {bound:.3f}",
                f"needed > {need:.3f}", "match" if ok else "inconsistent",
                f"p < {thresh} on {df} df needs partial r > {rp:.3f}; R2 of {s} on the "
                f"controls {r2:.3f} (Exhibit 3)", (s, "*")))
    return _frame(rows)
