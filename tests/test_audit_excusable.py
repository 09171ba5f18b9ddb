"""The excusable delta of Exhibit 3 (collabcomm.audit.excusable): rounding half-widths, their
first-order reach by hand and against finite differences and the Monte Carlo ranges, and the
reconciliation's changes beside them."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest
from tables import random_corr

from collabcomm import audit, published

ex = importlib.import_module("collabcomm.audit.excusable")


def _corr_table(rows):
    return pd.DataFrame({"row": [r[0] for r in rows], "col": [r[1] for r in rows],
                         "value": [r[2] for r in rows], "decimals": [r[3] for r in rows],
                         "kind": "correlation"}).astype({"decimals": "Int64"})


def test_excusable_deltas_are_half_a_printed_unit():
    d = ex.excusable_deltas(published.correlations())
    assert len(d) == 28
    three = d[d.decimals == 3]  # -0.081 and -0.105 are printed with three decimals
    assert set(zip(three.row, three.col, strict=True)) == {("api_2012", "fragmented"),
                                                            ("school_size", "api_2011")}
    assert (three.half_width == 0.0005).all() and (d[d.decimals == 4].half_width == 5e-5).all()


def test_reach_by_hand_with_one_regressor():
    # y on x: b = r s_y / s_x and R^2 = r^2, so a change h of r moves b by h s_y / s_x and
    # R^2 by 2 |r| h
    r, h, sy, sx = 0.6, 0.0005, 10.0, 4.0
    corr = np.array([[1.0, r], [r, 1.0]])
    slopes, r2 = ex.first_order_reach(corr, [(1, 0)], [h], np.array([sy, sx]), 0, [[1]])
    assert slopes[0, 0, 0] == pytest.approx(h * sy / sx, rel=1e-12)
    assert r2[0, 0] == pytest.approx(2 * r * h, rel=1e-12)


def test_reach_matches_finite_differences_with_two_regressors():
    corr = random_corr(3, 5)
    pairs = [(1, 0), (2, 0), (2, 1)]
    sd = np.array([3.0, 1.5, 0.5])
    h = np.array([1e-3, 2e-3, 5e-4])
    slopes, r2 = ex.first_order_reach(corr, pairs, h, sd, 0, [[1, 2]])

    def fit(c):
        beta = np.linalg.solve(c[1:, 1:], c[1:, 0])
        return beta * sd[0] / sd[1:], float(c[1:, 0] @ beta)

    eps = 1e-6
    for k, (i, j) in enumerate(pairs):
        up, down = corr.copy(), corr.copy()
        up[i, j] = up[j, i] = corr[i, j] + eps
        down[i, j] = down[j, i] = corr[i, j] - eps
        (bu, ru), (bd, rd) = fit(up), fit(down)
        np.testing.assert_allclose(slopes[0, :, k], np.abs(bu - bd) / (2 * eps) * h[k],
                                   rtol=1e-6)
        assert r2[0, k] == pytest.approx(abs(ru - rd) / (2 * eps) * h[k], rel=1e-6)


def test_paper_reach_and_the_monte_carlo_ranges():
    desc, corr, regs = published.descriptives(), published.correlations(), published.regressions()
    reach = ex.rounding_reach(desc, corr, regs)
    assert len(reach) == 29 and reach.iloc[-1]["row"] == "all"
    # the three-decimal -0.081 reaches furthest: Model 6's Fragmented by 61 printed half-units
    top = reach.iloc[:-1].sort_values("coef_reach_units").iloc[-1]
    assert (top.row, top.col, top.coef_cell) == ("api_2012", "fragmented",
                                                  "Model 6: fragmented")
    assert 60 < top.coef_reach_units < 62
    # all correlations at once, to first order: about the half-width of the Monte Carlo range
    # over every input's rounding (which also varies the SDs and means)
    ranges = audit.exhibit4_ranges(desc, corr, 26, draws=1000)
    m6 = ranges[(ranges.model == 6) & (ranges.term == "fragmented")].iloc[0]
    allrow = reach.iloc[-1]
    assert allrow.coef_cell == "Model 6: fragmented"
    assert allrow.coef_reach == pytest.approx((m6.high - m6.low) / 2, rel=0.1)


def test_the_printed_matrix_is_positive_definite():
    assert ex.smallest_eigenvalue(_corr_table([("y", "x", 0.6, 1)])) == pytest.approx(0.4)
    assert 0 < ex.smallest_eigenvalue(published.correlations()) < 0.05
    # a printed matrix that is no correlation matrix: three variables, r = .9, .9 and -.9
    bad = _corr_table([("b", "a", 0.9, 1), ("c", "a", 0.9, 1), ("c", "b", -0.9, 1)])
    assert ex.smallest_eigenvalue(bad) < 0


def test_beyond_rounding_by_hand():
    corr = _corr_table([("b", "a", 0.3431, 4), ("c", "a", -0.081, 3)])
    changes = pd.DataFrame({"row": ["c", "b"], "col": ["a", "a"], "change": [-0.0015, 3e-5]})
    out = ex.beyond_rounding(changes, corr)
    assert out["half_width"].tolist() == [0.0005, 5e-5]
    assert out["beyond"].tolist() == pytest.approx([0.001, 0.0])
    assert out["rounding_units"].tolist() == pytest.approx([3.0, 0.6])


def test_paper_reconciliation_goes_far_beyond_rounding():
    rec = audit.reconcile(published.descriptives(), published.correlations(),
                          published.regressions(), 26, restarts=0)
    out = ex.beyond_rounding(rec.changes, published.correlations())
    assert (out["beyond"] > 0).all()               # every correlation moves past its rounding
    assert out["rounding_units"].min() > 50
    top = out.iloc[0]
    assert (top.row, top.col) == ("api_2012", "collaborative") and top.rounding_units > 3000
