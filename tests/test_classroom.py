"""The grids behind notebook 07's live figures (collabcomm.classroom) are the notebook's own
functions: every row of the power grid is simulate_model + power_summary at that setting, and
the attenuation grid is the classical formula with the controls' R^2."""

from __future__ import annotations

import numpy as np
import pytest

from collabcomm import classroom as C
from collabcomm import published
from collabcomm import simulate as S
from collabcomm.errors import ParameterError

SETTINGS = [(26, 0.08, 0.8, 0.05), (10, 0.2, 1.0, 0.01), (40, 0.04, 0.5, 0.1)]


@pytest.fixture(scope="module")
def small_grid():
    return C.power_table(n_values=[10, 26, 40], effects=[0.04, 0.08, 0.2],
                         reliabilities=[0.5, 0.8, 1.0], reps=300, seed=7)


def test_the_grid_has_every_setting_once(small_grid):
    assert len(small_grid) == 3 * 3 * 3 * 3
    assert not small_grid.duplicated(["n_schools", "effect", "reliability", "level"]).any()
    assert list(small_grid.columns) == ["n_schools", "effect", "reliability", "level", "power",
                                        "type_m", "type_s", "mean_estimate"]


@pytest.mark.parametrize("n, effect, lam, level", SETTINGS)
def test_each_row_is_simulate_model_and_power_summary(small_grid, n, effect, lam, level):
    """The same seed, the same draws: equal, not close."""
    unit = 66.38 / 9.59  # SD of API 2012 over SD of Collaborative (Exhibit 2)
    sim = S.simulate_model(n, reps=300, alpha=lam, teachers=None, effect=effect * unit, seed=7)
    ref = S.power_summary(sim, design_level=level)
    row = small_grid.query(f"n_schools == {n} and effect == {effect} and reliability == {lam} "
                           f"and level == {level}").iloc[0]
    assert row["power"] == ref[f"power_{level:g}"]
    assert row["type_m"] == ref["type_m"] and row["type_s"] == ref["type_s"]
    assert row["mean_estimate"] == pytest.approx(ref["mean_estimate"] / unit, rel=1e-12)


def test_power_is_a_multiple_of_one_over_reps(small_grid):
    k = small_grid["power"] * 300
    np.testing.assert_allclose(k, np.round(k), atol=1e-9)


def test_power_grows_with_schools_and_slope(small_grid):
    g = small_grid.query("level == 0.05 and reliability == 1.0")
    by_n = g.query("effect == 0.08").sort_values("n_schools")["power"].to_numpy()
    by_e = g.query("n_schools == 10").sort_values("effect")["power"].to_numpy()
    assert (np.diff(by_n) > 0).all() and (np.diff(by_e) > 0).all()
    assert by_n[0] < 0.5 < by_n[-1]


def test_the_standardized_unit_by_hand():
    assert C.slope_per_sd() == pytest.approx(66.38 / 9.59, rel=1e-12)
    # Exhibits 2-3 imply 0.5283 API points per scale point (notebook 07, section 5)
    assert C.standardized_slope() == pytest.approx(0.52834 * 9.59 / 66.38, rel=1e-4)
    assert C.nearest(C.GRID_EFFECTS, C.standardized_slope()) == 0.08


def test_focal_r2_is_the_controls_r2_from_the_correlations():
    """R^2 of Collaborative on Model 5's controls: r' Rxx^-1 r from Exhibit 3 by numpy."""
    r = published.correlation_matrix()
    controls = ["sed_pct", "api_2011", "school_size"]
    rxx = r.loc[controls, controls].to_numpy(float)
    rxy = r.loc[controls, "collaborative"].to_numpy(float)
    assert C.focal_r2() == pytest.approx(rxy @ np.linalg.solve(rxx, rxy), rel=1e-10)


def test_attenuation_table_is_the_formula():
    t = C.attenuation_table(effects=[0.1], reliabilities=[0.5, 1.0])
    r2 = C.focal_r2()
    assert t["factor"].tolist() == pytest.approx([0.5 * (1 - r2) / (1 - 0.5 * r2), 1.0])
    assert t["observed"].tolist() == pytest.approx([0.1 * 0.5 * (1 - r2) / (1 - 0.5 * r2), 0.1])
    full = C.attenuation_table()
    assert len(full) == len(C.GRID_EFFECTS) * 71
    assert full["reliability"].min() == 0.3 and full["reliability"].max() == 1.0


def test_the_default_grid_covers_the_controls():
    assert 26 in C.GRID_N and C.GRID_N[0] == 10 and C.GRID_N[-1] == 60
    assert C.GRID_RELIABILITIES[-1] == 1.0 and C.GRID_REPS == 500


@pytest.mark.parametrize("kw, what", [({"effects": []}, "effects"),
                                      ({"reliabilities": [0.0, 0.5]}, "reliabilities"),
                                      ({"n_values": [10, 10]}, "n_values")])
def test_a_bad_grid_is_refused_by_name(kw, what):
    with pytest.raises(ParameterError, match=f"^{what} must be distinct values"):
        C.power_table(**{"n_values": [10], "reps": 10, **kw})
