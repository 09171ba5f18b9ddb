r"""McDonald's omega total of a scale, from a one-factor model fitted by maximum likelihood.

Beside Cronbach's alpha (:mod:`collabcomm.reliability`): alpha equals the reliability of the
item sum only when the items are (essentially) tau-equivalent, i.e. load equally on one
factor; omega allows each item its own loading. Both assume the items reflect one common
factor; for a formative index (the paper's reading of its constructs) neither is a statement
about the construct.

The fit is the maximum-likelihood factor analysis of R's ``factanal`` (Jöreskog 1967), one
factor, on the items' correlation matrix: for uniquenesses :math:`\psi` the loadings follow
from the largest eigenvalue of :math:`\Psi^{-1/2} R \Psi^{-1/2}`, and :math:`\psi` minimises
the concentrated discrepancy by L-BFGS-B within :math:`[0.005, 1]`, with its gradient,
polished by Newton steps to about 1e-14, far below the written precision. ML is scale-free, so the loadings on the items'
own metric are the standardized ones times the items' standard deviations, which is what
``lavaan::cfa(std.lv = TRUE)`` estimates from the covariance matrix.

A small routine rather than a library: ``factor_analyzer`` 0.5.1 ships only as a source
archive (no wheel) and ``semopy`` brings a modelling language for one formula; the routine
here is short, has an analytic gradient, and is pinned against lavaan.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import CollabcommError
from .lazy import lazy_import

_opt = lazy_import("scipy.optimize")

__all__ = ["Omega", "one_factor_ml", "omega_total", "LOWER_UNIQUENESS"]

LOWER_UNIQUENESS = 0.005
"""Smallest standardized uniqueness the fit allows (R's ``factanal``); a fit that ends on it is
a Heywood case."""


@dataclass(frozen=True)
class Omega:
    """Result of :func:`omega_total`: omega, the loadings and residual variances on the items'
    metric (ML, covariance divisor n, as lavaan), the complete cases behind them, and whether
    a uniqueness ended on :data:`LOWER_UNIQUENESS` (a Heywood case)."""

    omega: float
    loadings: pd.Series
    residual_variances: pd.Series
    n: int
    heywood: bool


def _objective(psi: np.ndarray, r: np.ndarray) -> tuple[float, np.ndarray]:
    """factanal's concentrated ML discrepancy (one factor) and its gradient in ``psi``."""
    sc = 1 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(r * np.outer(sc, sc))
    rest = values[:-1]
    f = -(np.sum(np.log(rest) - rest) - 1 + len(psi))
    load = np.sqrt(psi) * vectors[:, -1] * np.sqrt(max(values[-1] - 1, 0))
    g = load**2 + psi - np.diag(r)
    return float(f), g / psi**2


def _newton(psi: np.ndarray, r: np.ndarray, steps: int = 8) -> np.ndarray:
    """Polish L-BFGS-B's answer by Newton steps on the gradient of the uniquenesses inside
    the bounds (Jacobian by central differences of the exact gradient): the optimizer stops
    when the discrepancy no longer changes in double precision, about 1e-8 from the optimum
    in ``psi``; a few Newton steps take that to about 1e-14, so the written digits do not
    depend on where it stopped."""
    psi = psi.copy()
    free = (psi > LOWER_UNIQUENESS * (1 + 1e-6)) & (psi < 1 - 1e-9)
    index = np.flatnonzero(free)
    for _ in range(steps if len(index) else 0):
        g = _objective(psi, r)[1][index]
        if np.abs(g).max() < 1e-14:
            break
        h = 1e-6
        jac = np.empty((len(index), len(index)))
        for col, j in enumerate(index):
            up, down = psi.copy(), psi.copy()
            up[j] += h
            down[j] -= h
            jac[:, col] = (_objective(up, r)[1][index] - _objective(down, r)[1][index]) / (2 * h)
        psi[index] = np.clip(psi[index] - np.linalg.solve(jac, g), LOWER_UNIQUENESS, 1)
    return psi


def one_factor_ml(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Standardized loadings and uniquenesses of one factor fitted by ML to the correlation
    matrix ``r`` (start: ``1 - 0.5 / diag(r^-1)``, as ``factanal``).

    Examples
    --------
    Three items with correlations .48, .40, .30 fit exactly: loadings .8, .6, .5.

    >>> lam, psi = one_factor_ml(np.array([[1, .48, .40], [.48, 1, .30], [.40, .30, 1]]))
    >>> np.round(lam, 6).tolist(), np.round(psi, 6).tolist()
    ([0.8, 0.6, 0.5], [0.36, 0.64, 0.75])
    """
    start = np.clip((1 - 0.5) / np.diag(np.linalg.inv(r)), LOWER_UNIQUENESS, 1)
    res = _opt.minimize(_objective, start, args=(r,), jac=True, method="L-BFGS-B",
                        bounds=[(LOWER_UNIQUENESS, 1)] * len(start),
                        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10000})
    psi = _newton(res.x, r)
    sc = 1 / np.sqrt(psi)
    values, vectors = np.linalg.eigh(r * np.outer(sc, sc))
    lam = np.sqrt(psi) * vectors[:, -1] * np.sqrt(max(values[-1] - 1, 0))
    return lam * np.sign(lam.sum()), psi


def omega_total(data: pd.DataFrame, items: list[str] | None = None) -> Omega:
    r"""McDonald's omega total of ``items`` from a one-factor ML model on complete cases.

    Notes
    -----
    With loadings :math:`\lambda_i` and residual variances :math:`\theta_i` on the items' own
    metric (factor variance fixed at 1),

    .. math::
        \omega = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i \theta_i},

    the share of the (model-implied) variance of the unweighted item sum that the common
    factor explains. Equal loadings and residual variances give back alpha's population value.

    References
    ----------
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum. Jöreskog, K. G.
    (1967). Some contributions to maximum likelihood factor analysis. *Psychometrika*, 32,
    443-482. Validated against ``lavaan::cfa(std.lv = TRUE)`` (same estimator: omega to 1e-6,
    loadings to 1e-5) and compared with ``psych::omega(nfactors = 1)``, which works on the
    correlation matrix (standardized items) and divides by the observed total variance
    (tests/reference/psych_missing.R).
    """
    items = list(data.columns) if items is None else list(items)
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise CollabcommError(f"data lack item column(s) {absent}")
    if len(items) < 3:
        raise CollabcommError(f"omega needs at least three items (a one-factor model of "
                              f"{len(items)} is not identified)")
    x = data[items].astype(float).dropna()
    if len(x) <= len(items):
        raise CollabcommError(f"omega needs more complete cases than items, got {len(x)} for "
                              f"{len(items)} items")
    cov = np.cov(x.to_numpy(), rowvar=False, ddof=0)
    sd = np.sqrt(np.diag(cov))
    if np.any(sd == 0):
        raise CollabcommError(f"omega is undefined: item(s) "
                              f"{[c for c, s in zip(items, sd, strict=True) if s == 0]} have "
                              "no variance among the complete cases")
    r = cov / np.outer(sd, sd)
    if np.linalg.eigvalsh(r)[0] < 1e-10:
        raise CollabcommError("omega is undefined: the items' correlation matrix among the "
                              "complete cases is singular (an item is a linear function of "
                              "others), so no ML factor model can be fitted")
    lam_std, psi = one_factor_ml(r)
    lam, theta = lam_std * sd, psi * sd**2
    common = lam.sum() ** 2
    return Omega(float(common / (common + theta.sum())), pd.Series(lam, index=items),
                 pd.Series(theta, index=items), len(x),
                 bool(np.any(psi <= LOWER_UNIQUENESS * (1 + 1e-9))))
