"""Omega total (collabcomm.omega): a one-factor ML model, pinned to lavaan's cfa(std.lv = TRUE)
and compared with psych::omega(nfactors = 1) on real data with missing answers
(tests/reference/psych_missing.R wrote the values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from reference_missing import (
    SCALES,
    r_value,
)

from collabcomm import omega as om
from collabcomm import reliability as rel
from collabcomm import survey
from collabcomm.errors import CollabcommError

# lavaan stops its optimizer (nlminb) at a relative tolerance of 1e-10 in the discrepancy, so
# its estimates carry about 1e-7; ours agree with it to 1.7e-7 (cohesion, 10 complete cases)
# and to 3e-8 on lq2002. Hence 1e-6 for omega, 1e-5 for loadings and residual variances.
OMEGA_TOL, PARAMETER_TOL = 1e-6, 1e-5


CASES = [("lq2002_missing", "LEAD"), ("lq2002_missing", "TSIG"), ("lq2002_missing", "HOSTIL"),
         ("cohesion", "COH")]


@pytest.mark.parametrize(("name", "scale"), CASES)
def test_omega_equals_lavaan(missing_ref, missing_surveys, name, scale):
    responses, _ = missing_surveys[name]
    result = om.omega_total(responses, SCALES[scale])
    assert result.omega == pytest.approx(r_value(missing_ref, name, scale, "omega", "omega_lavaan"),
                                         abs=OMEGA_TOL)
    assert result.n == r_value(missing_ref, name, scale, "omega", "n_complete")
    assert not result.heywood
    for item in SCALES[scale]:
        assert result.loadings[item] == pytest.approx(
            r_value(missing_ref, name, scale, "omega", "loading", item), abs=PARAMETER_TOL)
        assert result.residual_variances[item] == pytest.approx(
            r_value(missing_ref, name, scale, "omega", "theta", item), abs=PARAMETER_TOL)


@pytest.mark.parametrize(("name", "scale"), CASES)
def test_psych_omega_is_the_standardized_fit_over_the_observed_variance(missing_ref, missing_surveys, name, scale):
    # psych::omega(fm = "ml") fits the same ML model to the correlation matrix and divides by
    # the observed sum of correlations: 1 - sum(psi) / sum(R). The same fit gives it here.
    responses, _ = missing_surveys[name]
    r = np.corrcoef(responses[SCALES[scale]].dropna().to_numpy(), rowvar=False)
    _, psi = om.one_factor_ml(r)
    assert 1 - psi.sum() / r.sum() == pytest.approx(
        r_value(missing_ref, name, scale, "omega", "omega_psych_ml"), abs=OMEGA_TOL)
    # psych's default (minres) is another estimator: it differs from ML by up to 0.024 here
    # (cohesion), and from lavaan's omega, which weights the items' own metric, likewise
    ml = r_value(missing_ref, name, scale, "omega", "omega_lavaan")
    assert abs(r_value(missing_ref, name, scale, "omega", "omega_psych") - ml) < 0.025


def test_reliability_table_carries_omega(missing_ref, missing_surveys):
    responses, cb = missing_surveys["lq2002_missing"]
    table = survey.analyse(responses, cb)["reliability"].set_index("scale")
    for scale in ("LEAD", "TSIG", "HOSTIL"):
        assert table.loc[scale, "omega"] == pytest.approx(
            r_value(missing_ref, "lq2002_missing", scale, "omega", "omega_lavaan"), abs=OMEGA_TOL)
        assert table.loc[scale, "n_complete"] == r_value(missing_ref, "lq2002_missing", scale, "omega",
                                                         "n_complete")


def test_tau_equivalent_items_give_omega_equal_to_alpha():
    # equal loadings and equal residual variances: the population alpha is omega
    k, lam, theta = 4, 0.7, 0.51
    cov = np.full((k, k), lam**2) + np.eye(k) * theta
    rng = np.random.default_rng(3)
    x = rng.multivariate_normal(np.zeros(k), cov, size=400)
    # make the sample covariance exactly the population one (whiten, then colour)
    x = (x - x.mean(axis=0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(x.T, ddof=0)).T)
    x = x @ np.linalg.cholesky(cov).T
    d = pd.DataFrame(x, columns=list("abcd"))
    o = om.omega_total(d)
    expected = (k * lam) ** 2 / ((k * lam) ** 2 + k * theta)
    assert o.omega == pytest.approx(expected, abs=1e-9)
    assert rel.cronbach_alpha(d).alpha == pytest.approx(expected, abs=1e-9)
    assert o.loadings.tolist() == pytest.approx([lam] * k, abs=1e-7)


def test_congeneric_items_give_omega_above_alpha():
    # unequal loadings: alpha underestimates the reliability of the sum, omega does not
    lam = np.array([0.9, 0.7, 0.4, 0.2])
    theta = 1 - lam**2
    cov = np.outer(lam, lam) + np.diag(theta)
    rng = np.random.default_rng(4)
    x = rng.multivariate_normal(np.zeros(4), cov, size=300)
    x = (x - x.mean(axis=0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(x.T, ddof=0)).T)
    d = pd.DataFrame(x @ np.linalg.cholesky(cov).T, columns=list("abcd"))
    o = om.omega_total(d)
    assert o.omega == pytest.approx(lam.sum() ** 2 / (lam.sum() ** 2 + theta.sum()), abs=1e-9)
    assert o.omega - rel.cronbach_alpha(d).alpha > 0.02


def test_errors_are_clear():
    d = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 1, 4, 3, 5], "c": [1.0, 3, 2, 5, 4]})
    with pytest.raises(CollabcommError, match="at least three items"):
        om.omega_total(d, ["a", "b"])
    with pytest.raises(CollabcommError, match=r"lack item column\(s\) \['z'\]"):
        om.omega_total(d, ["a", "b", "z"])
    with pytest.raises(CollabcommError, match="more complete cases than items, got 3"):
        om.omega_total(d.iloc[:3])
    with pytest.raises(CollabcommError, match="singular"):
        om.omega_total(d.assign(c=d["a"] + d["b"]))
    with pytest.raises(CollabcommError, match=r"\['c'\] have no variance"):
        om.omega_total(d.assign(c=3.0))


def test_a_two_item_scale_gets_alpha_and_a_note_instead_of_omega():
    from conftest import minimal_codebook

    from collabcomm import codebook

    cb = codebook.from_mapping(minimal_codebook(), "x.yaml")
    rng = np.random.default_rng(0)
    answers = pd.DataFrame(rng.integers(1, 6, size=(12, 4)).astype(float),
                           columns=["a1", "a2", "b1", "b2"])
    responses = pd.concat([pd.DataFrame({"r": range(12), "u": ["x"] * 12}), answers], axis=1)
    table = survey.analyse(responses, cb)["reliability"]
    assert table["alpha"].notna().all() and table["omega"].isna().all()
    assert table["note"].str.startswith("omega needs at least three items").all()
