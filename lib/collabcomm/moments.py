"""Ordinary least squares from summary statistics: correlations, SDs, means and N, no data.

One closed form serves every caller: :func:`batch_ols` evaluates it for a batch of moment sets
at once (the audit's Monte Carlo over rounding intervals and the reconciliation);
:func:`ols_from_moments` is the same computation for one set, labelled (the models of notebooks
04 and 07, the truth of the power simulations). :class:`OlsMoments` adds the exact derivatives
of the standardized slopes and R-squared with respect to the correlations (the reconciliation's
Jacobian). :func:`moment_inputs` and :func:`assemble` turn the published tables into the arrays
these take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CollabcommError
from .lazy import lazy_import
from .schema import SCHOOL_VARIABLES

_st = lazy_import("scipy.stats")

__all__ = [
    "MomentOLS",
    "ols_from_moments",
    "batch_ols",
    "moment_inputs",
    "assemble",
    "OlsMoments",
    "ols_moment_jacobian",
]


@dataclass(frozen=True)
class MomentOLS:
    """Result of :func:`ols_from_moments`."""

    coef: pd.Series      # includes "const"
    se: pd.Series
    t: pd.Series
    p: pd.Series
    r_squared: float
    adj_r_squared: float
    sigma: float         # residual standard error
    n: int
    df_resid: int


def ols_from_moments(corr: pd.DataFrame, sds: pd.Series, means: pd.Series, n: int,
                     y: str, xs: list[str]) -> MomentOLS:
    r"""OLS of ``y`` on ``xs`` (with a constant) from summary statistics alone.

    Notes
    -----
    With :math:`R_{xx}` the regressors' correlation matrix, :math:`r_{xy}` their correlations
    with :math:`y`, and :math:`s` the SDs (n-1):

    .. math::
        \beta^* = R_{xx}^{-1} r_{xy}, \quad b_j = \beta^*_j s_y / s_j, \quad
        R^2 = r_{xy}' R_{xx}^{-1} r_{xy},

        \hat\sigma^2 = (1 - R^2) s_y^2 (n-1) / (n-k-1), \quad
        \operatorname{Var}(b) = \hat\sigma^2 / (n-1) \; D^{-1} R_{xx}^{-1} D^{-1},

        b_0 = \bar y - b'\bar x, \quad
        \operatorname{Var}(b_0) = \hat\sigma^2 / n + \bar x' \operatorname{Var}(b) \bar x,

    with :math:`D = \operatorname{diag}(s_x)` and :math:`k` regressors; t and two-tailed p on
    :math:`n-k-1` degrees of freedom. These are the textbook identities for OLS on centred data
    (e.g. Cohen, Cohen, West & Aiken 2003, *Applied Multiple Regression/Correlation Analysis*,
    ch. 3).

    Validated against statsmodels on the reconstructed data (to 1e-8) and against R's ``lm``
    (tests/reference/lm_reference.csv, produced by tests/reference/lm_reference.R).
    :func:`batch_ols` evaluates the same formulas for many moment sets at once; the two agree
    to round-off (tested), but not bit for bit (a matrix product in place of a batched sum), so
    each keeps its own order of operations and the written outputs keep their bytes.
    """
    k = len(xs)
    if n - k - 1 <= 0:
        raise CollabcommError(f"n = {n} is too small for {k} regressors and a constant")
    rxx = corr.loc[xs, xs].to_numpy(float)
    rxy = corr.loc[xs, y].to_numpy(float)
    sx = sds[xs].to_numpy(float)
    sy = float(sds[y])
    try:
        inv = np.linalg.inv(rxx)
    except np.linalg.LinAlgError:
        raise CollabcommError(f"regressors {xs} are perfectly collinear") from None
    beta_std = inv @ rxy
    b = beta_std * sy / sx
    r2 = float(rxy @ inv @ rxy)
    df = n - k - 1
    sigma2 = (1 - r2) * sy**2 * (n - 1) / df
    vb = sigma2 / (n - 1) * inv / np.outer(sx, sx)
    mx = means[xs].to_numpy(float)
    b0 = float(means[y]) - b @ mx
    v0 = sigma2 / n + mx @ vb @ mx
    coef = pd.Series(np.append(b, b0), index=[*xs, "const"])
    se = pd.Series(np.sqrt(np.append(np.diag(vb), v0)), index=coef.index)
    t = coef / se
    p = pd.Series(2 * _st.t.sf(np.abs(t), df), index=coef.index)
    adj = 1 - (1 - r2) * (n - 1) / df
    return MomentOLS(coef, se, t, p, r2, adj, float(np.sqrt(sigma2)), n, df)


def moment_inputs(descriptives: pd.DataFrame, correlations: pd.DataFrame):
    """Published moments as arrays, with the half-width of each value's rounding interval."""
    vs = list(SCHOOL_VARIABLES)
    # plain dictionaries and lists: an indexed lookup per value cost more than the whole audit
    keys = zip(descriptives["variable"], descriptives["statistic"], strict=True)
    cells = dict(zip(keys, zip(descriptives["value"], descriptives["decimals"], strict=True),
                     strict=True))
    mu = np.array([cells[(v, "mean")][0] for v in vs], float)
    mu_h = np.array([0.5 * 10.0 ** -int(cells[(v, "mean")][1]) for v in vs])
    sd = np.array([cells[(v, "sd")][0] for v in vs], float)
    sd_h = np.array([0.5 * 10.0 ** -int(cells[(v, "sd")][1]) for v in vs])
    corr = correlations[correlations["kind"] == "correlation"]
    pairs = [(vs.index(a), vs.index(b)) for a, b in zip(corr["row"], corr["col"], strict=True)]
    r = list(corr["value"])
    r_h = [0.5 * 10.0 ** -int(d) for d in corr["decimals"]]
    return vs, mu, mu_h, sd, sd_h, pairs, np.array(r), np.array(r_h)


def assemble(r: np.ndarray, pairs, p: int) -> np.ndarray:
    """Correlation matrices (B, p, p) from B vectors of the off-diagonal correlations."""
    i, j = np.asarray(pairs, dtype=int).reshape(-1, 2).T
    m = np.repeat(np.eye(p)[None], r.shape[0], axis=0)
    m[:, i, j] = r
    m[:, j, i] = r
    return m


def batch_ols(corr: np.ndarray, sd: np.ndarray, mu: np.ndarray, n: int, yi: int,
              xi: list[int]) -> dict[str, np.ndarray]:
    """:func:`ols_from_moments` for a batch of B moment sets at once.

    ``corr`` (B, p, p), ``sd`` and ``mu`` (B, p); ``yi`` and ``xi`` index the outcome and the
    regressors. Returns arrays: ``coef``, ``se`` and ``p`` (B, k+1, the constant last),
    ``r_squared`` and ``sigma`` (the residual standard error) (B,). The formulas are in
    :func:`ols_from_moments`'s notes.
    """
    k = len(xi)
    rxx = corr[:, xi][:, :, xi]
    rxy = corr[:, xi, yi]
    inv = np.linalg.inv(rxx)
    beta = np.einsum("bij,bj->bi", inv, rxy)
    sx, sy = sd[:, xi], sd[:, yi]
    b = beta * sy[:, None] / sx
    r2 = np.einsum("bi,bi->b", rxy, beta)
    df = n - k - 1
    sigma2 = (1 - r2) * sy**2 * (n - 1) / df
    vb = sigma2[:, None, None] / (n - 1) * inv / (sx[:, :, None] * sx[:, None, :])
    mx = mu[:, xi]
    b0 = mu[:, yi] - np.einsum("bi,bi->b", b, mx)
    v0 = sigma2 / n + np.einsum("bi,bij,bj->b", mx, vb, mx)
    coef = np.concatenate([b, b0[:, None]], axis=1)
    with np.errstate(invalid="ignore"):  # a non-PD matrix met during a search gives NaN
        se = np.sqrt(np.concatenate([np.einsum("bii->bi", vb), v0[:, None]], axis=1))
    pv = 2 * _st.t.sf(np.abs(coef / se), df)
    return {"coef": coef, "se": se, "p": pv, "r_squared": r2, "sigma": np.sqrt(sigma2)}



class OlsMoments:
    r"""Standardized OLS slopes and R-squared of several regressions on one correlation matrix,
    with their exact derivatives with respect to every free off-diagonal correlation.

    Built once for a set of models (the index pairs, the outcome and each model's regressors);
    calling it on a correlation matrix computes all models at once, batched, which is what a
    search that evaluates thousands of matrices needs.

    Parameters
    ----------
    pairs : the (i, j) index pairs, i != j, of the correlations taken as free parameters.
    yi : index of the outcome.
    xis : for each model, the indices of its regressors.
    size : the number of variables (rows) of the correlation matrices it will be given.

    Notes
    -----
    With :math:`A = R_{xx}^{-1}`, :math:`\beta = A\,r_{xy}` and :math:`R^2 = r_{xy}^\top \beta`,
    :math:`d\beta = A\,(dr_{xy} - dR_{xx}\,\beta)`. A correlation between regressors
    :math:`p` and :math:`q` enters :math:`R_{xx}` twice, so
    :math:`\partial\beta/\partial\rho_{pq} = -(A_{\cdot p}\beta_q + A_{\cdot q}\beta_p)`
    and :math:`\partial R^2/\partial\rho_{pq} = -2\beta_p\beta_q`; a correlation of
    regressor :math:`p` with the outcome gives :math:`A_{\cdot p}` and :math:`2\beta_p`; any
    other correlation gives 0. In tensor form, with :math:`U = \partial r_{xy}/\partial\rho`
    and :math:`T = \partial R_{xx}/\partial\rho` (constant 0/1 arrays built once),
    :math:`\partial\beta/\partial\rho = A\,(U - T\beta)` and
    :math:`\partial R^2/\partial\rho = \beta^\top (2U - T\beta)`. A raw slope is
    :math:`b_k = \beta_k s_y / s_{x_k}`, so its derivative is the same row scaled by
    :math:`s_y / s_{x_k}`.

    Models with fewer regressors than the largest are padded to its size with an identity block
    and a zero outcome correlation, which leaves their slopes unchanged and gives 0 in the
    padded places. Validated against central finite differences, and model by model against
    :func:`ols_from_moments`, in the tests.
    """

    def __init__(self, pairs, yi: int, xis, size: int):
        self.pairs = [tuple(int(v) for v in pq) for pq in pairs]
        self.yi = int(yi)
        self.xis = [[int(v) for v in x] for x in xis]
        self.width = max(len(x) for x in self.xis)
        m, k, p = len(self.xis), self.width, len(self.pairs)
        self.size = size = int(size)
        one, zero = size * size, size * size + 1  # places of 1 and 0 after the flat matrix
        self._ixx = np.full((m, k, k), zero)
        self._ixx[:, range(k), range(k)] = one
        self._ixy = np.full((m, k), zero)
        self._u = np.zeros((m, k, p))  # d r_xy / d rho: which correlation is which r_xy entry
        self._t = np.zeros((m, k, k, p))  # d R_xx / d rho, the same for R_xx's entries
        for g, xi in enumerate(self.xis):
            pos = {v: a for a, v in enumerate(xi)}
            for a, u in enumerate(xi):
                self._ixy[g, a] = u * size + self.yi
                for b, v in enumerate(xi):
                    self._ixx[g, a, b] = u * size + v
            for c, (i, j) in enumerate(self.pairs):
                if i in pos and j in pos:
                    self._t[g, pos[i], pos[j], c] = self._t[g, pos[j], pos[i], c] = 1.0
                elif self.yi in (i, j) and (i in pos or j in pos):
                    self._u[g, pos[j] if i == self.yi else pos[i], c] = 1.0

    def __call__(self, corr: np.ndarray):
        """Return ``beta`` (M, K), ``r2`` (M,), ``d_beta`` (M, K, P) and ``d_r2`` (M, P) for
        the (p, p) matrix ``corr``: M models, K the most regressors, P free correlations; a
        model's slopes fill the first places of its row, in the order of its regressors."""
        corr = np.asarray(corr, dtype=float)
        if corr.shape != (self.size, self.size):
            raise ValueError(f"expected a {self.size} x {self.size} correlation matrix, "
                             f"got shape {corr.shape}")
        flat = np.concatenate([corr.ravel(), [1.0, 0.0]])
        a = np.linalg.inv(flat[self._ixx])
        rxy = flat[self._ixy]
        beta = np.einsum("mij,mj->mi", a, rxy)
        w = self._u - np.einsum("mb,mabc->mac", beta, self._t)  # dr_xy - dR_xx beta
        return (beta, np.einsum("mi,mi->m", rxy, beta), a @ w,
                np.einsum("ma,mac->mc", beta, w + self._u))


def ols_moment_jacobian(corr: np.ndarray, pairs, yi: int, xi: list[int]
                        ) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    r"""Standardized OLS slopes and R-squared of one regression from a correlation matrix,
    with their exact derivatives with respect to every off-diagonal correlation.

    Parameters
    ----------
    corr : (p, p) correlation matrix.
    pairs : the (i, j) index pairs, i != j, of the correlations taken as free parameters.
    yi, xi : index of the outcome, and of the regressors.

    Returns
    -------
    beta : (k,) standardized slopes :math:`\beta = R_{xx}^{-1} r_{xy}`.
    r2 : :math:`R^2 = r_{xy}^\top \beta`.
    d_beta : (k, len(pairs)) :math:`\partial \beta / \partial \rho_{ab}`.
    d_r2 : (len(pairs),) :math:`\partial R^2 / \partial \rho_{ab}`.

    Notes
    -----
    One model of :class:`OlsMoments`, whose notes give the formulas. Validated against central
    finite differences in the tests.
    """
    beta, r2, d_beta, d_r2 = OlsMoments(pairs, yi, [list(xi)], len(corr))(corr)
    return beta[0], float(r2[0]), d_beta[0], d_r2[0]
