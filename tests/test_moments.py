"""OLS from moments (collabcomm.moments): the closed form by hand, batched, and its exact
derivatives against finite differences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tables import perturbed, random_corr

from collabcomm import models, moments, reconstruct
from collabcomm.errors import CollabcommError


def test_batch_ols_equals_closed_form():
    t = reconstruct.published_target()
    vs = list(t.means.index)
    res = moments.batch_ols(t.corr.to_numpy()[None], t.sds.to_numpy()[None],
                          t.means.to_numpy()[None], 26, vs.index("api_2012"),
                          [vs.index(x) for x in models.regressors(6)])
    ref = moments.ols_from_moments(t.corr, t.sds, t.means, 26, "api_2012", models.regressors(6))
    np.testing.assert_allclose(res["coef"][0], ref.coef.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(res["p"][0], ref.p.to_numpy(), rtol=1e-9)
    assert res["r_squared"][0] == pytest.approx(ref.r_squared)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ols_moment_jacobian_matches_finite_differences(seed):
    p = 6
    corr = random_corr(p, seed)
    pairs = [(i, j) for i in range(p) for j in range(i)]
    yi, xi = 0, [2, 3, 5]
    beta, r2, d_beta, d_r2 = moments.ols_moment_jacobian(corr, pairs, yi, xi)
    # the slopes and R-squared themselves: the normal equations, solved independently
    np.testing.assert_allclose(beta, np.linalg.solve(corr[np.ix_(xi, xi)], corr[xi, yi]),
                               rtol=1e-12)
    assert r2 == pytest.approx(corr[xi, yi] @ beta, rel=1e-12)
    h = 1e-6
    for k in range(len(pairs)):
        up = moments.ols_moment_jacobian(perturbed(corr, pairs, k, h), pairs, yi, xi)
        dn = moments.ols_moment_jacobian(perturbed(corr, pairs, k, -h), pairs, yi, xi)
        np.testing.assert_allclose(d_beta[:, k], (up[0] - dn[0]) / (2 * h), atol=1e-7)
        assert d_r2[k] == pytest.approx((up[1] - dn[1]) / (2 * h), abs=1e-7)
    # correlations that touch neither y nor a regressor have zero derivative
    untouched = [k for k, (i, j) in enumerate(pairs) if {i, j} <= {1, 4}]
    assert untouched and not d_beta[:, untouched].any() and not d_r2[untouched].any()


def test_ols_moments_batches_models_of_different_sizes():
    # three models of 1, 3 and 4 regressors on one matrix: each model's slopes and R-squared
    # equal models.ols_from_moments (standardized: unit SDs), the padded places are 0, and
    # every derivative matches central finite differences
    p = 6
    corr = random_corr(p, 4)
    pairs = [(i, j) for i in range(p) for j in range(i)]
    xis = [[3], [1, 2, 5], [5, 1, 4, 2]]
    system = moments.OlsMoments(pairs, 0, xis, p)
    beta, r2, d_beta, d_r2 = system(corr)
    assert beta.shape == (3, 4) and d_beta.shape == (3, 4, len(pairs))
    names = [f"v{i}" for i in range(p)]
    frame = pd.DataFrame(corr, names, names)
    ones, zeros = pd.Series(1.0, names), pd.Series(0.0, names)
    for g, xi in enumerate(xis):
        fit = moments.ols_from_moments(frame, ones, zeros, 200, "v0", [names[i] for i in xi])
        np.testing.assert_allclose(beta[g, :len(xi)], fit.coef[[names[i] for i in xi]],
                                   rtol=1e-12)
        assert r2[g] == pytest.approx(fit.r_squared, rel=1e-12)
        assert not beta[g, len(xi):].any() and not d_beta[g, len(xi):].any()
    h = 1e-6
    for k in range(len(pairs)):
        up, dn = system(perturbed(corr, pairs, k, h)), system(perturbed(corr, pairs, k, -h))
        np.testing.assert_allclose(d_beta[:, :, k], (up[0] - dn[0]) / (2 * h), atol=1e-7)
        np.testing.assert_allclose(d_r2[:, k], (up[1] - dn[1]) / (2 * h), atol=1e-7)
    with pytest.raises(ValueError, match="expected a 6 x 6 correlation matrix"):
        system(corr[:5, :5])


def test_closed_form_by_hand_simple_regression():
    """One regressor: b = r s_y / s_x, const = ybar - b xbar, R^2 = r^2 (hand computation)."""
    idx = ["y", "x"]
    corr = pd.DataFrame([[1, 0.5], [0.5, 1]], idx, idx)
    res = moments.ols_from_moments(corr, pd.Series([10.0, 2.0], idx), pd.Series([50.0, 4.0], idx),
                             11, "y", ["x"])
    assert res.coef["x"] == pytest.approx(2.5)
    assert res.coef["const"] == pytest.approx(40.0)
    assert res.r_squared == pytest.approx(0.25)
    # sigma^2 = (1 - .25) * 100 * 10 / 9; se(b) = sqrt(sigma^2 / (10 * 4))
    assert res.se["x"] == pytest.approx(np.sqrt(0.75 * 100 * 10 / 9 / 40))
    assert res.df_resid == 9


def test_closed_form_refuses_collinear_and_small_n():
    idx = ["y", "a", "b"]
    corr = pd.DataFrame([[1, .5, .5], [.5, 1, 1], [.5, 1, 1]], idx, idx, dtype=float)
    ones = pd.Series(1.0, idx)
    with pytest.raises(CollabcommError, match="collinear"):
        moments.ols_from_moments(corr, ones, ones, 20, "y", ["a", "b"])
    with pytest.raises(CollabcommError, match="too small"):
        moments.ols_from_moments(corr, ones, ones, 3, "y", ["a", "b"])
