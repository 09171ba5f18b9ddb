"""Reconciliation: the smallest change to Exhibit 3's correlations that reproduces Exhibit 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..memo import memoized
from ..models import ADDED, OUTCOME, regressors
from ..moments import OlsMoments, assemble, batch_ols, moment_inputs
from ..precision import matches_published, snap_zero


@dataclass(frozen=True)
class Reconciliation:
    """Result of :func:`reconcile`.

    ``changes``: one row per correlation (``row``, ``col``, ``published``, ``reconciled``,
    ``change``), sorted by absolute change. ``cells``: every in-model Exhibit 4 cell with its
    published value, the value the reconciled matrix implies, and whether it is within rounding
    (coefficients are the targets; constants, R-squared and stars are reported, not targeted).
    ``feasible``: whether every coefficient could be brought within rounding. ``distance``:
    Frobenius norm of the change (each correlation counted once). ``min_eigenvalue`` of the
    reconciled matrix.
    """

    changes: pd.DataFrame
    cells: pd.DataFrame
    feasible: bool
    distance: float
    min_eigenvalue: float
    message: str



def min_eigen_gradient(corr: np.ndarray, pairs) -> tuple[float, np.ndarray]:
    r"""Smallest eigenvalue of a correlation matrix and its gradient in the free correlations.

    Notes
    -----
    For a simple eigenvalue with unit eigenvector :math:`u`,
    :math:`\partial\lambda_{\min}/\partial\rho_{ab} = 2 u_a u_b` (the correlation sits in
    two cells). Validated against central finite differences in the tests.
    """
    w, v = np.linalg.eigh(corr)
    u = v[:, 0]
    i, j = np.asarray(pairs, dtype=int).T
    return float(w[0]), 2 * u[i] * u[j]


def _polish_projection(x: np.ndarray, x0: np.ndarray, g, g_jac, *, weights=None,
                       active_tol: float = 1e-7, max_iter: int = 50) -> np.ndarray:
    r"""Refine an approximate solution of :math:`\min (x - x_0)^\top W (x - x_0)` s.t.
    :math:`g(x) \ge 0`, with :math:`W` diagonal (``weights``, default 1), to the exact KKT
    point of its active set.

    Notes
    -----
    The constraints with :math:`g_i(x) <` ``active_tol`` are taken as equalities
    :math:`g_A(x) = 0`. Newton's method is applied to the KKT conditions
    :math:`F(x, \lambda) = (2W(x - x_0) - J_A^\top\lambda,\; g_A(x)) = 0`:

    .. math:: \begin{pmatrix} H & -J_A^\top \\ J_A & 0 \end{pmatrix}
              \begin{pmatrix} \Delta x \\ \Delta\lambda \end{pmatrix} = -F,
              \qquad H = 2W - \textstyle\sum_i \lambda_i \nabla^2 g_i,

    with the curvature term taken by forward differences of the exact Jacobian ``g_jac``
    (step 1e-6). The Hessian only steers the steps; the point they converge to is fixed by
    :math:`F = 0`, which uses exact derivatives, so it does not depend on where the optimizer
    happened to stop nor on the machine's round-off. A constraint whose multiplier turns
    negative leaves the active set. Iteration stops when the step falls below 1e-15 or stops
    shrinking (the round-off floor). Returns ``x`` unchanged if the refinement does not
    converge, ends outside the feasible set, or increases the objective of a feasible ``x``.
    Validated on projections with known answers (onto a disc, and onto a half-plane in a
    weighted metric) in the tests.
    """
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    active = np.flatnonzero(g(x) < active_tol)
    if active.size == 0:
        return x
    n = len(x)
    y = x.copy()
    lam = np.linalg.lstsq(g_jac(y)[active].T, 2 * w * (y - x0), rcond=None)[0]
    last, h = np.inf, 1e-6
    for _ in range(max_iter):
        if (lam < 0).any():
            keep = lam >= 0
            active, lam, last = active[keep], lam[keep], np.inf
            if active.size == 0:
                return x
            continue
        jac = g_jac(y)[active]
        hess = np.diag(2 * w)
        base = jac.T @ lam
        for k in range(n):
            e = np.zeros(n)
            e[k] = h
            hess[:, k] -= (g_jac(y + e)[active].T @ lam - base) / h
        m = active.size
        kkt = np.block([[hess, -jac.T], [jac, np.zeros((m, m))]])
        rhs = -np.concatenate([2 * w * (y - x0) - jac.T @ lam, g(y)[active]])
        try:
            step = np.linalg.solve(kkt, rhs)
        except np.linalg.LinAlgError:
            return x
        y, lam = y + step[:n], lam + step[n:]
        size = float(np.max(np.abs(step[:n])))
        if size < 1e-15 or (size < 1e-9 and size >= last):
            break
        last = size
    else:
        return x

    def objective(v):
        return float((v - x0) @ (w * (v - x0)))

    feasible_x = g(x).min() >= -1e-10
    ok = (g(y).min() >= -1e-10 and (lam >= 0).all()
          and (not feasible_x or objective(y) <= objective(x) + 1e-10))
    return y if ok else x


@memoized
def reconcile(descriptives: pd.DataFrame, correlations: pd.DataFrame,
              regressions: pd.DataFrame, n: int, *, seed: int = 0, restarts: int = 4,
              eig_floor: float = 1e-4, include_r_squared: bool = False,
              least_violation: bool = True) -> Reconciliation:
    r"""The smallest change to Exhibit 3's correlations that reproduces Exhibit 4's
    coefficients within rounding, with the SDs and means as published.

    Objective
    ---------
    Minimize :math:`\sum_{i<j} (\rho_{ij} - r_{ij})^2` over the 28 correlations
    :math:`\rho` subject to, for every printed slope :math:`c` of Exhibit 4 (the regressors
    of Models 1-6), :math:`|b_c(\rho) - c| \le \tfrac12 10^{-d_c}` where :math:`b_c(\rho)` is
    the closed-form OLS coefficient, and :math:`\lambda_{\min}(\rho) \ge` ``eig_floor``
    (positive definite). With ``include_r_squared`` the six R-squared values are targets too.

    Solved with SLSQP, given the exact gradient of the objective and the exact Jacobian of
    every constraint (:func:`collabcomm.moments.ols_moment_jacobian`, :func:`min_eigen_gradient`; each
    two-sided rounding constraint is two smooth one-sided ones), from the published matrix and
    from ``restarts`` seeded perturbations of it (deterministic). Each SLSQP result is then
    refined to the exact optimum of its active set (:func:`_polish_projection`), which does
    not depend on where SLSQP stopped: across emulated CPUs (``make test-matrix``) the optimum
    agrees to about 2e-11, far below the seven digits written. The feasible solution with the
    smallest objective is kept. If the published matrix already satisfies every constraint it
    is returned unchanged.

    If no start reaches feasibility (as with ``include_r_squared`` on the published tables),
    and ``least_violation`` is true (the default), each start is followed by a search for the
    least total squared violation (in rounding half-widths) plus 1e-3 times the objective,
    keeping the matrix positive definite; the start with the smallest violation is reported,
    with what remains unmatched. With ``least_violation=False`` that search is skipped and the
    published matrix is reported: the answer is then only whether a feasible matrix was found,
    which is all notebook 06 shows of the R-squared variant (the search is most of the time of
    that variant: about 0.75 s of 1 s). That search is
    non-smooth and ill-conditioned near singular matrices, so its end point is a local result
    that can differ between machines; only the fact that no start is feasible is stable, and
    only that is reported by the companion (``feasible`` and ``message``).

    Validated by planted tests (a consistent table is returned unchanged; a planted change is
    repaired), by the objective on the published tables pinned in the tests (0.2131574914 on
    the coefficients), and by finite-difference checks of both Jacobians.
    """
    from scipy.optimize import minimize


    vs, mu, _, sd, _, pairs, r0, _ = moment_inputs(descriptives, correlations)
    p = len(vs)
    targets = []
    for c in regressions[regressions["in_model"]].itertuples():
        skip = ("const", "n_obs") if include_r_squared else ("const", "r_squared", "n_obs")
        if c.term in skip or np.isnan(c.value):
            continue
        j = -1 if c.term == "r_squared" else regressors(c.model).index(c.term)
        targets.append((c.model, j, c.value, 0.5 * 10.0 ** -int(c.decimals)))
    yi = vs.index(OUTCOME)
    xis = {m: [vs.index(t) for t in regressors(m)] for m in ADDED}
    half = np.array([t[3] for t in targets])
    value = np.array([t[2] for t in targets])
    margin = 1e-7  # stay strictly inside the rounding intervals

    def implied(r):
        corr = assemble(np.asarray(r)[None], pairs, p)
        return {m: batch_ols(corr, sd[None], mu[None], n, yi, xis[m]) for m in ADDED}, corr[0]

    models = list(ADDED)
    system = OlsMoments(pairs, yi, [xis[m] for m in models], p)
    # each target cell as a place in the flattened (slopes, then R-squared) output, with its
    # scale: a raw slope is a standardized one times s_y / s_x
    k = system.width
    place = np.array([len(models) * k + models.index(m) if j < 0 else models.index(m) * k + j
                      for m, j, _, _ in targets])
    scale = np.array([1.0 if j < 0 else sd[yi] / sd[xis[m][j]] for m, j, _, _ in targets])
    last: dict = {}

    def evaluate(r):
        """Targeted cells' values (T,) and Jacobian (T, 28), the smallest eigenvalue and its
        gradient, at ``r``; SLSQP asks for values and Jacobians at the same point, so the last
        point is kept."""
        key = np.asarray(r, dtype=float).tobytes()
        if key not in last:
            corr = assemble(np.asarray(r)[None], pairs, p)[0]
            beta, r2, d_beta, d_r2 = system(corr)
            values = np.concatenate([beta.ravel(), r2])
            derivs = np.concatenate([d_beta.reshape(-1, len(r)), d_r2])
            last.clear()
            last[key] = (values[place] * scale, derivs[place] * scale[:, None],
                         *min_eigen_gradient(corr, pairs))
        return last[key]

    def slack(r):  # >= 0 when within rounding: upper and lower sides
        got = evaluate(r)[0]
        return np.concatenate([half - margin - (got - value), half - margin + (got - value)])

    def slack_jac(r):
        jac = evaluate(r)[1]
        return np.concatenate([-jac, jac])

    def min_eig(r):
        return np.array([evaluate(r)[2] - eig_floor])

    def min_eig_jac(r):
        return evaluate(r)[3][None]

    def excess(r):  # signed excess over each rounding interval, in half-widths
        dev = evaluate(r)[0] - value
        return np.sign(dev) * np.maximum(np.abs(dev) - (half - margin), 0.0) / half

    def violation(r):  # total squared excess
        e = excess(r)
        return float(e @ e)

    def penalty(r):
        """Total squared excess plus 1e-3 times the objective, with its gradient. Both are
        scaled by the smallest squared half-width, a constant that keeps SLSQP's first
        quasi-Newton step inside the unit box."""
        e, w = excess(r), half.min() ** 2
        return (w * (float(e @ e) + 1e-3 * float((r - r0) @ (r - r0))),
                w * (2 * (e / half) @ evaluate(r)[1] + 2e-3 * (r - r0)))

    def distance(r):
        return float((r - r0) @ (r - r0)), 2 * (r - r0)

    def constraints(r):
        return np.concatenate([slack(r), min_eig(r)])

    def constraints_jac(r):
        return np.vstack([slack_jac(r), min_eig_jac(r)])

    bounds = [(-0.999, 0.999)] * len(r0)
    if slack(r0).min() >= 0 and min_eig(r0)[0] >= 0:
        best = r0.copy()
        message = "the published correlations already reproduce Exhibit 4 within rounding"
    else:
        rng = np.random.default_rng(seed)
        starts = [r0] + [np.clip(r0 + rng.normal(0, 0.02, len(r0)), -0.99, 0.99)
                         for _ in range(restarts)]
        cons = [{"type": "ineq", "fun": constraints, "jac": constraints_jac}]
        feasible, fallback, ends = [], [], []
        for x0 in starts:
            res = minimize(distance, x0, jac=True, method="SLSQP", constraints=cons,
                           bounds=bounds, options={"maxiter": 300, "ftol": 1e-12})
            if constraints(res.x).min() >= -1e-6:  # feasible up to SLSQP's tolerance
                ends.append((distance(res.x)[0], res.x))
        # refine the nearest end first; a nearer one cannot come from refining a farther one,
        # since the refinement moves the objective by far less than the starts' ends differ
        for _, end in sorted(ends, key=lambda t: t[0]):
            x = _polish_projection(end, r0, constraints, constraints_jac)
            if constraints(x).min() >= -1e-9:
                feasible.append((distance(x)[0], x))
                break
        # the least-violation search is only needed when no start is feasible
        for x0 in starts if least_violation and not feasible else []:
            x = minimize(penalty, x0, jac=True, method="SLSQP", bounds=bounds,
                         constraints=[{"type": "ineq", "fun": min_eig, "jac": min_eig_jac}],
                         options={"maxiter": 500, "ftol": 1e-15}).x
            if min_eig(x)[0] >= -1e-9:
                fallback.append((violation(x), x))
        if feasible:
            best = min(feasible, key=lambda t: t[0])[1]
            message = "found a positive-definite matrix that reproduces every coefficient"
        elif fallback:
            best = min(fallback, key=lambda t: t[0])[1]
            message = ("no nearby positive-definite matrix reproduces every coefficient; "
                       "the best found is reported with what remains unmatched")
        elif not least_violation:
            best = r0.copy()
            message = ("no start reached a positive-definite matrix that reproduces every "
                       "target; the least-violation search was not asked for, so the published "
                       "matrix is reported")
        else:
            best = r0.copy()
            message = ("no start reached a positive-definite matrix closer to Exhibit 4; "
                       "the published matrix is reported")
        best = snap_zero(best - r0) + r0  # a correlation the optimizer did not move stays put
    res, corr_best = implied(best)
    changes = pd.DataFrame({"row": [vs[i] for i, _ in pairs], "col": [vs[j] for _, j in pairs],
                            "published": r0, "reconciled": best,
                            "change": snap_zero(best - r0)})
    changes = changes.reindex(changes["change"].abs().sort_values(ascending=False).index)
    rows = []
    for c in regressions[regressions["in_model"]].itertuples():
        if c.term == "n_obs":
            continue
        out = res[c.model]
        if c.term == "r_squared":
            got, stars_got = float(out["r_squared"][0]), ""
        else:
            j = len(regressors(c.model)) if c.term == "const" else regressors(c.model).index(c.term)
            got = float(out["coef"][0, j])
            from ..significance import stars as _stars

            stars_got = _stars(float(out["p"][0, j]))
        within = (not np.isnan(c.value)) and matches_published(got, c.value, int(c.decimals)) \
            if not np.isnan(c.value) else False
        targeted = c.term != "const" and (include_r_squared or c.term != "r_squared")
        rows.append((c.model, c.term, c.value, got, within, c.stars, stars_got, targeted))
    cells = pd.DataFrame(rows, columns=["model", "term", "published", "reconciled", "within",
                                        "published_stars", "reconciled_stars", "targeted"])
    feasible_all = bool(cells[cells.targeted]["within"].all())
    return Reconciliation(changes.reset_index(drop=True), cells, feasible_all,
                          float(np.linalg.norm(best - r0)),
                          float(np.linalg.eigvalsh(corr_best)[0]), message)
