"""The excusable delta of Exhibit 3, in the spirit of Hussey's ``port``: how far each printed
correlation may be off through rounding alone, what that can move in Exhibit 4, and how far
beyond it the reconciliation has to go.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..models import ADDED, OUTCOME, regressors
from ..moments import OlsMoments, assemble, moment_inputs
from ..precision import snap_zero


def excusable_deltas(correlations: pd.DataFrame) -> pd.DataFrame:
    r"""Each printed correlation of Exhibit 3 with its excusable delta: half a unit of its last
    printed digit, :math:`h = \tfrac12 10^{-d}` (0.00005 for ``0.3431``, 0.0005 for ``-0.081``),
    the largest change rounding alone can explain.

    Columns ``row``, ``col``, ``published``, ``decimals``, ``half_width``, in Exhibit 3's order.
    """
    c = correlations[correlations["kind"] == "correlation"]
    return pd.DataFrame({"row": c["row"].to_numpy(), "col": c["col"].to_numpy(),
                         "published": c["value"].to_numpy(float),
                         "decimals": c["decimals"].astype(int).to_numpy(),
                         "half_width": 0.5 * 10.0 ** -c["decimals"].astype(int).to_numpy()})


def first_order_reach(corr: np.ndarray, pairs, half_widths, sd: np.ndarray, yi: int, xis
                      ) -> tuple[np.ndarray, np.ndarray]:
    r"""How far each regression's raw slopes and R-squared can move, to first order, when one
    correlation moves within its rounding interval.

    Notes
    -----
    With the exact derivatives of :class:`~collabcomm.moments.OlsMoments`, the reach of
    correlation :math:`c` on slope :math:`b_{mk}` is
    :math:`|\partial b_{mk}/\partial\rho_c|\,h_c` with
    :math:`\partial b_{mk}/\partial\rho_c = (s_y/s_{x_k})\,\partial\beta_{mk}/\partial\rho_c`,
    and on :math:`R^2_m` it is :math:`|\partial R^2_m/\partial\rho_c|\,h_c`. Summed over
    :math:`c`, it is the first-order half-width of the range that all correlations' rounding
    together can produce (the Monte Carlo of
    :func:`~collabcomm.audit.exhibit4.exhibit4_ranges` also varies the SDs and means).

    Returns ``slopes`` (M, K, P), 0 in a model's unused places, and ``r2`` (M, P).
    Validated by hand on one and two regressors (:math:`b = r s_y/s_x`, so the reach is
    :math:`h s_y/s_x`; :math:`R^2 = r^2`, so it is :math:`2|r|h`) and against central finite
    differences in the tests.
    """
    h = np.asarray(half_widths, dtype=float)
    _, _, d_beta, d_r2 = OlsMoments(pairs, yi, xis, len(corr))(corr)
    scale = np.zeros(d_beta.shape[:2])
    for m, xi in enumerate(xis):
        scale[m, :len(xi)] = sd[yi] / np.asarray(sd)[list(xi)]
    return np.abs(d_beta * scale[:, :, None]) * h, np.abs(d_r2) * h


def rounding_reach(descriptives: pd.DataFrame, correlations: pd.DataFrame,
                   regressions: pd.DataFrame) -> pd.DataFrame:
    """What each correlation's excusable delta can move in Exhibit 4, to first order.

    One row per correlation (Exhibit 3's order) and a last row ``all`` (every correlation at
    the edge of its rounding interval at once, each in the direction that moves the output
    most): ``half_width``; ``coef_reach``, the largest move of any printed slope of Exhibit 4,
    ``coef_cell`` (``"Model m: term"``) where it happens and ``coef_reach_units``, that move in
    half-units of the slope's own last printed digit (above 1, rounding of this one correlation
    could change the printed slope); ``r2_reach``, the largest move of any R-squared, and
    ``r2_model``. The formulas are in :func:`first_order_reach`.
    """
    vs, _, _, sd, _, pairs, r, _ = moment_inputs(descriptives, correlations)
    table = excusable_deltas(correlations)
    models = list(ADDED)
    xis = [[vs.index(t) for t in regressors(m)] for m in models]
    corr = assemble(r[None], pairs, len(vs))[0]
    slopes, r2 = first_order_reach(corr, pairs, table["half_width"], sd, vs.index(OUTCOME), xis)
    printed = regressions.set_index(["model", "term"])
    unit = np.zeros(slopes.shape[:2])
    for a, m in enumerate(models):
        for k, term in enumerate(regressors(m)):
            unit[a, k] = 0.5 * 10.0 ** -int(printed.loc[(m, term), "decimals"])
    rows = []
    columns = [slopes[:, :, c] for c in range(len(pairs))] + [slopes.sum(axis=2)]
    r2_columns = [r2[:, c] for c in range(len(pairs))] + [r2.sum(axis=1)]
    for reach, reach_r2 in zip(columns, r2_columns, strict=True):
        a, k = np.unravel_index(np.argmax(reach), reach.shape)
        b = int(np.argmax(reach_r2))
        rows.append({"coef_reach": reach[a, k],
                     "coef_cell": f"Model {models[a]}: {regressors(models[a])[k]}",
                     "coef_reach_units": reach[a, k] / unit[a, k],
                     "r2_reach": reach_r2[b], "r2_model": models[b]})
    out = pd.concat([table[["row", "col", "published", "half_width"]],
                     pd.DataFrame({"row": ["all"], "col": ["all"], "published": [np.nan],
                                   "half_width": [table["half_width"].max()]})],
                    ignore_index=True)
    return pd.concat([out, pd.DataFrame(rows)], axis=1)


def beyond_rounding(changes: pd.DataFrame, correlations: pd.DataFrame) -> pd.DataFrame:
    r"""The reconciliation's changes (:func:`~collabcomm.audit.reconcile.reconcile`) beside each
    correlation's excusable delta: ``half_width``; ``beyond``, how far the change goes past
    it, :math:`\max(|\Delta| - h, 0)` (0 when rounding alone explains the change);
    ``rounding_units``, :math:`|\Delta| / h`, the change in half-units of the last printed digit.
    """
    deltas = excusable_deltas(correlations).set_index(["row", "col"])["half_width"]
    h = np.array([deltas[(r, c)] for r, c in zip(changes["row"], changes["col"], strict=True)])
    size = np.abs(changes["change"].to_numpy(float))
    out = changes.copy()
    out["half_width"] = h
    out["beyond"] = snap_zero(np.maximum(size - h, 0.0))
    out["rounding_units"] = size / h
    return out


def smallest_eigenvalue(correlations: pd.DataFrame) -> float:
    r"""The smallest eigenvalue of Exhibit 3's correlation matrix as printed (unit diagonal).

    Positive means the printed matrix is itself a possible correlation matrix (positive
    definite), so ``port``'s excusable delta of Exhibit 3 alone, the smallest uniform
    rounding half-width whose box of matrices holds a positive semidefinite one, is 0: no
    rounding needs excusing for Exhibit 3 to be possible. For two variables it is
    :math:`1 - |r|`.
    """
    c = correlations[correlations["kind"] == "correlation"]
    vs = list(dict.fromkeys([*c["col"], *c["row"]]))
    pairs = [(vs.index(a), vs.index(b)) for a, b in zip(c["row"], c["col"], strict=True)]
    matrix = assemble(c["value"].to_numpy(float)[None], pairs, len(vs))[0]
    return float(np.linalg.eigvalsh(matrix)[0])
