"""The school-level reconstruction (collabcomm.reconstruct.school_level): exact moments, bounds,
the nearest positive-definite matrix, integer columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collabcomm import reconstruct as R
from collabcomm.errors import CollabcommError
from collabcomm.schema import SCHOOL_COLUMNS, SCHOOL_VARIABLES

SEEDS = [1, 7, 42, 2012, 99991]


@pytest.fixture(scope="module")
def target():
    return R.published_target()


@pytest.mark.parametrize("seed", SEEDS)
def test_exact_moments_and_bounds(seed, target):
    rec = R.reconstruct_schools(seed)
    d = rec.data
    assert list(d.columns) == list(SCHOOL_COLUMNS) and len(d) == 26
    assert d["school_id"].is_unique
    means, sds, corr = R.moments_of(d, list(SCHOOL_VARIABLES))
    np.testing.assert_allclose(means, target.means, rtol=0, atol=1e-9)
    np.testing.assert_allclose(sds, target.sds, rtol=1e-12, atol=1e-10)
    off = ~np.eye(8, dtype=bool)
    assert np.abs(corr.to_numpy() - target.corr.to_numpy())[off].max() < 1e-8
    for v in SCHOOL_VARIABLES:
        assert d[v].min() == target.mins[v], v
        assert d[v].max() == target.maxs[v], v
    assert d["sed_pct"].between(0, 100).all()
    for scale in ("traditional", "bureaucratic", "collaborative", "fragmented"):
        assert d[scale].between(0, 100).all()
    assert not rec.report["relaxed"].any()
    assert rec.check.positive_definite and rec.check.distance == 0


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_deterministic_for_a_seed_and_different_across_seeds(seed):
    a, b = R.schools(seed), R.schools(seed)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["collaborative"], R.schools(seed + 1)["collaborative"])


def test_report_lists_every_constraint(target):
    rep = R.reconstruct_schools(3).report
    assert (rep["constraint"].value_counts().to_dict()
            == {"correlation": 28, "mean": 8, "sd": 8, "min": 8, "max": 8})
    assert set(rep.columns) == {"constraint", "variable", "other", "target", "achieved",
                                "difference", "relaxed", "note"}


def test_hand_made_target_with_known_answer():
    """n = 3, two variables, mean 0, SD 1, range [-1, 1], correlation -1 except that a PD
    target is needed: with n = 3 the only values with mean 0, SD 1 and both bounds attained are
    {-1, 0, 1}. With correlation 0.5 the second column must be a permutation of {-1, 0, 1}
    whose products with the first sum to 2 x 0.5 = 1: the exact answer is known up to order."""
    idx = ["x", "y"]
    target = R.Target(pd.Series([0.0, 0.0], idx), pd.Series([1.0, 1.0], idx),
                      pd.Series([-1.0, -1.0], idx), pd.Series([1.0, 1.0], idx),
                      pd.DataFrame([[1, 0.5], [0.5, 1]], idx, idx, dtype=float), 3)
    d = R.reconstruct_schools(0, target=target).data
    for v in idx:
        np.testing.assert_allclose(sorted(d[v]), [-1, 0, 1], atol=1e-12)
    np.testing.assert_allclose((d["x"] * d["y"]).sum(), 1.0, atol=1e-12)


def test_exact_moment_draw_is_mvrnorm_empirical():
    rng = np.random.default_rng(5)
    c = np.array([[1, 0.3, -0.2], [0.3, 1, 0.4], [-0.2, 0.4, 1]])
    z = R.exact_moment_draw(10, c, rng)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-14)
    np.testing.assert_allclose(np.cov(z, rowvar=False), c, atol=1e-13)


def test_non_positive_definite_target_is_detected_and_replaced():
    bad = pd.DataFrame([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], list("abc"), list("abc"))
    chk = R.check_correlation(bad)
    assert not chk.positive_definite and chk.eigenvalues.min() < 0
    fixed = chk.used.to_numpy()
    assert np.linalg.eigvalsh(fixed).min() > 0
    np.testing.assert_allclose(np.diag(fixed), 1, atol=1e-12)
    np.testing.assert_allclose(fixed, fixed.T)
    assert chk.distance == pytest.approx(np.linalg.norm(fixed - bad.to_numpy()))
    # Higham's example (2002, section 4): the nearest correlation matrix of this matrix
    # has off-diagonals of about 0.7607, 0.1573, 0.7607 (his published answer)
    a = np.array([[1, 1, 0], [1, 1, 1], [0, 1, 1]], dtype=float)
    x = R.nearest_correlation(a)
    np.testing.assert_allclose([x[0, 1], x[0, 2], x[1, 2]], [0.7607, 0.1573, 0.7607], atol=1e-4)


def test_reconstruction_uses_and_reports_the_nearest_pd_matrix():
    idx = list("abc")
    bad = pd.DataFrame([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]], idx, idx)
    ones = pd.Series(1.0, idx)
    t = R.Target(pd.Series(0.0, idx), ones, -3 * ones, 3 * ones, bad, 30)
    rec = R.reconstruct_schools(1, target=t)
    assert not rec.check.positive_definite and rec.check.distance > 0
    corr_rows = rec.report[rec.report.constraint == "correlation"]
    assert corr_rows["relaxed"].all()
    assert corr_rows["note"].str.contains("nearest positive-definite").all()
    _, _, corr = R.moments_of(rec.data, idx)
    np.testing.assert_allclose(corr.to_numpy(), rec.check.used.to_numpy(), atol=1e-8)


@pytest.mark.parametrize("change, fragment", [
    (("mins", "api_2012", 900.0), "mean 849.22 does not lie strictly between minimum 900"),
    (("maxs", "sed_pct", 50.0), "does not lie strictly between"),
    (("sds", "school_size", 60.0), "SD 60.0 is impossible"),
    (("sds", "collaborative", 0.5), "too small for a range"),
    (("sds", "fragmented", -1.0), "must be positive"),
])
def test_impossible_bounds_raise_naming_the_variable(target, change, fragment):
    field, var, value = change
    s = getattr(target, field).copy()
    s[var] = value
    bad = R.Target(**{**target.__dict__, field: s})
    with pytest.raises(CollabcommError, match=fragment) as info:
        R.reconstruct_schools(1, target=bad)
    assert f"'{var}'" in str(info.value)


def test_integer_columns_relax_what_cannot_hold_and_say_so(target):
    ints = ["api_2012", "api_2011", "school_size"]
    rec = R.reconstruct_schools(2012, integer_columns=ints)
    d = rec.data
    for v in ints:
        assert (d[v] == d[v].round()).all() and d[v].dtype.kind == "i"
        assert d[v].min() == target.mins[v] and d[v].max() == target.maxs[v]
    relaxed = rec.relaxed
    # means: GRIM-impossible at N = 26 for all three integer columns
    assert set(relaxed.query("constraint == 'mean'")["variable"]) == set(ints)
    assert relaxed.query("constraint == 'mean'")["note"].str.contains("not a whole number").all()
    # correlations: only pairs of two integer columns are relaxed
    rc = relaxed.query("constraint == 'correlation'")
    assert {frozenset(p) for p in zip(rc.variable, rc.other, strict=True)} == {
        frozenset(p) for p in [("api_2012", "api_2011"), ("api_2012", "school_size"),
                               ("api_2011", "school_size")]}
    # everything else still holds exactly
    held = rec.report[~rec.report.relaxed]
    assert (held["difference"].abs() < 1e-8).all()
    assert len(held.query("constraint == 'correlation'")) == 25


def test_unknown_integer_column_is_refused():
    with pytest.raises(CollabcommError, match=r"integer_columns: unknown variable\(s\) \['api'\]"):
        R.reconstruct_schools(1, integer_columns=["api"])
