"""Vectorized simulation (collabcomm.simulate) and parameter sweeps."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from conftest import tree_digest
from scipy import stats

from collabcomm import pipeline
from collabcomm import simulate as S
from collabcomm.errors import CollabcommError, ParameterError

REPO = Path(__file__).resolve().parents[1]


def test_batch_ols_equals_statsmodels():
    rng = np.random.default_rng(0)
    x = np.concatenate([np.ones((50, 26, 1)), rng.standard_normal((50, 26, 4))], axis=2)
    y = x @ np.array([1.0, 0.5, -0.2, 0.0, 2.0]) + rng.standard_normal((50, 26))
    fit = S.batch_ols(x, y)
    for r in range(50):
        ref = sm.OLS(y[r], x[r]).fit()
        np.testing.assert_allclose(fit["coef"][r], ref.params, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fit["se"][r], ref.bse, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(fit["p"][r], ref.pvalues, rtol=1e-10, atol=1e-14)
    with pytest.raises(CollabcommError, match="cannot fit"):
        S.batch_ols(x[:, :4], y[:, :4])


def test_power_at_zero_effect_is_the_level():
    """With no effect, the rejection rate is the test's level. Bound: 4 Monte Carlo standard
    errors, 4 * sqrt(.05 * .95 / 4000) = 0.0138 (a false alarm about once in 16,000 runs)."""
    sim = S.simulate_model(26, reps=4000, effect=0.0, seed=3)
    s = S.power_summary(sim)
    for level in (0.10, 0.05, 0.01):
        bound = 4 * np.sqrt(level * (1 - level) / 4000)
        assert abs(s[f"power_{level:g}"] - level) < bound


def test_attenuation_follows_the_classical_formula_on_a_large_sample():
    # no controls: slope shrinks by the reliability (hand simulation, 200,000 observations)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(200_000)
    y = 2.0 * x + rng.standard_normal(200_000)
    lam = 0.6
    xs = x + rng.normal(0, np.sqrt((1 - lam) / lam), x.size)
    slope = S.batch_ols(np.stack([np.ones_like(xs), xs], 1)[None], y[None])["coef"][0, 1]
    assert slope == pytest.approx(2.0 * S.attenuation(lam), abs=0.01)
    # with the Exhibit 4 controls: lambda (1 - R2) / (1 - lambda R2)
    from collabcomm import models, published

    d = published.descriptives(wide=True)
    r2 = models.ols_from_moments(published.correlation_matrix(), d["sd"], d["mean"], 26,
                                 "collaborative", models.regressors(1)).r_squared
    sim = S.simulate_model(5000, reps=40, alpha=0.5, seed=2)
    expected = sim["true_effect"] * S.attenuation(0.5, r2)
    assert sim["estimate"].mean() == pytest.approx(expected, abs=0.02)
    assert S.attenuation(0.8, 0.5) == pytest.approx(0.8 * 0.5 / 0.6)


def test_school_reliability_by_hand():
    # icc1 .2 -> V_u = 4; alpha .75 -> V_e = 5 / 3; m = 20 -> 1 / (1 + (4 + 5/3) / 20)
    assert S.school_reliability(0.75, 20, 0.2) == pytest.approx(1 / (1 + (4 + 5 / 3) / 20))
    assert S.school_reliability(0.75) == 0.75
    with pytest.raises(ParameterError):
        S.school_reliability(0.0)


def test_retrodesign_power_and_type_s_by_hand():
    z = stats.norm.ppf(0.975)
    r = S.retrodesign(2.0, 1.0, draws=200_000)
    assert r["power"] == pytest.approx(stats.norm.sf(z - 2) + stats.norm.cdf(-z - 2))
    assert r["type_s"] == pytest.approx(stats.norm.cdf(-z - 2) / r["power"])
    assert 1.0 < r["exaggeration"] < 1.5


def test_type_m_and_s_from_simulation():
    sim = {"estimate": np.array([3.0, -2.0, 0.5, 1.0]), "p": np.array([0.01, 0.02, 0.5, 0.2]),
           "true_effect": 1.0, "reliability": 1.0}
    s = S.power_summary(sim)
    assert s["power_0.05"] == 0.5
    assert s["type_m"] == pytest.approx(2.5)  # mean |3, -2| / 1
    assert s["type_s"] == pytest.approx(0.5)


def test_simulation_is_deterministic_and_refuses_bad_settings():
    a = S.simulate_model(26, reps=50, seed=9)
    b = S.simulate_model(26, reps=50, seed=9)
    np.testing.assert_array_equal(a["estimate"], b["estimate"])
    with pytest.raises(ParameterError, match="must exceed"):
        S.simulate_model(5, reps=10)
    with pytest.raises(ParameterError, match="model must be one of 2-6"):
        S.simulate_model(26, model=1)


@pytest.mark.notebooks
def test_sweep_two_point_grid_end_to_end(project_copy):
    table, folder = pipeline.sweep("07", {"n_schools": [10, 26], "reps": [200]}, project_copy,
                                   progress=False, out=io.StringIO())
    assert sorted(table["run"]) == ["n_schools=10_reps=200", "n_schools=26_reps=200"]
    assert (folder / "n_schools=10_reps=200.ipynb").is_file()
    assert (folder / "results.csv").is_file()
    assert set(table["n_schools"]) == {10, 26}
    assert table.set_index("n_schools").loc[26, "power_0.05"] > table.set_index(
        "n_schools").loc[10, "power_0.05"]
    # the sweep wrote nothing into the committed outputs
    assert not (project_copy / "figures").exists()


@pytest.mark.notebooks
def test_notebook_07_simulates_from_a_users_school_file(project_copy):
    from collabcomm import models
    from collabcomm.precision import round_significant

    data = _own_district()
    data["api_2012"] += 0.8 * data["collaborative"]
    (project_copy / "own").mkdir()
    data.to_csv(project_copy / "own/district.csv", index=False)
    report = pipeline.run(project_copy, only=["07"], progress=False, out=io.StringIO(),
                          overrides={"population_path": "own/district.csv", "reps": 200,
                                     "n_grid": [10, 26], "alpha_grid": [0.75],
                                     "output_dir": "build/own_population"})
    assert report.ok, report.failure and report.failure.message
    summary = pd.read_csv(project_copy / "build/own_population/power_summary.csv")
    # written under the precision policy: the fitted coefficient to 7 significant digits
    assert summary["true_effect"].iloc[0] == round_significant(
        models.fit(data, 5).params["collaborative"])
    assert not (project_copy / "figures").exists()
    with pytest.raises(ParameterError, match="parameter 'population_path' = 'own/none.csv' "
                                             "names no existing file"):
        pipeline.run(project_copy, only=["07"], progress=False, out=io.StringIO(),
                     overrides={"population_path": "own/none.csv"})


@pytest.mark.parametrize("grid, message", [
    ({"n_school": [10]}, "has no parameter 'n_school'"),
    ({"n_schools": ["abc"]}, "parameter 'n_schools' = 'abc' must be an integer"),
    ({"n_schools": [5]}, "must be at least 10"),
    ({"n_grid": [10]}, "parameter 'n_grid' cannot be swept"),
])
def test_bad_grid_is_refused_before_anything_runs(project_copy, grid, message):
    with pytest.raises(ParameterError, match=message):
        pipeline.sweep("07", grid, project_copy, progress=False, out=io.StringIO())
    assert not (project_copy / "build").exists()


def test_parse_grid():
    # text, read by the declared type when the sweep starts (test_pipeline_sweeps.py)
    assert pipeline.parse_grid(["n_schools=10,26", "alpha=0.55,0.75"]) == {
        "n_schools": ["10", "26"], "alpha": ["0.55", "0.75"]}
    with pytest.raises(ParameterError, match="name=v1,v2"):
        pipeline.parse_grid(["n_schools"])
    with pytest.raises(ParameterError, match="given twice"):
        pipeline.parse_grid(["a=1", "a=2"])


def test_simulate_all_models_fits_six_specifications():
    from collabcomm import models

    out = S.simulate_all_models(26, reps=30, seed=4)
    assert sorted(out) == [1, 2, 3, 4, 5, 6]
    for m, fit in out.items():
        assert fit["coef"].shape == (30, len(models.regressors(m)) + 1)
    # large samples recover the population slopes (the moments' closed form)
    big = S.simulate_all_models(20_000, reps=2, seed=5)[5]["coef"].mean(axis=0)
    t = S.published_population()
    ref = models.ols_from_moments(t.corr, t.sds, t.means, 10_000, "api_2012", models.regressors(5))
    assert big[-1] == pytest.approx(ref.coef["collaborative"], abs=0.05)


def test_design_analysis_of_the_papers_model5_as_notebook_07_reports():
    """Notebook 07, section 5: with the slope and standard error Exhibits 2-3 imply for
    Collaborative in Model 5, a 26-school study reaches p < .05 about half the time and a
    significant estimate overstates the slope by about a third."""
    from collabcomm import models, published

    d = published.descriptives(wide=True)
    m5 = models.ols_from_moments(published.correlation_matrix(), d["sd"], d["mean"], 26,
                                 "api_2012", models.regressors(5))
    b, se = float(m5.coef["collaborative"]), float(m5.se["collaborative"])
    assert (round(b, 3), round(se, 3)) == (0.528, 0.238)
    r = S.retrodesign(b, se, df=m5.df_resid, seed=0)
    assert r["power"] == pytest.approx(0.555, abs=0.005)
    assert r["exaggeration"] == pytest.approx(1.333, abs=0.01)
    assert r["type_s"] < 0.001


def test_population_from_the_reconstruction_is_the_published_one():
    from collabcomm import reconstruct

    for seed in (1, 2):
        pop = S.population_from_data(reconstruct.schools(seed=seed))
        ref = S.published_population()
        np.testing.assert_allclose(pop.means[ref.means.index], ref.means, rtol=1e-12)
        np.testing.assert_allclose(pop.sds[ref.sds.index], ref.sds, rtol=1e-12)
        np.testing.assert_allclose(pop.corr.loc[ref.corr.index, ref.corr.index], ref.corr,
                                   atol=1e-8)


def _own_district(n=40, seed=3):
    from collabcomm.schema import SCHOOL_VARIABLES

    rng = np.random.default_rng(seed)
    names = list(SCHOOL_VARIABLES)
    x = rng.normal(50, 10, (n, len(names)))
    return pd.DataFrame({c: x[:, i] for i, c in enumerate(names)})


def test_population_from_a_hand_made_district_has_its_numpy_moments():
    data = _own_district()
    pop = S.population_from_data(data)
    x = data.to_numpy()
    np.testing.assert_allclose(pop.means.to_numpy(), x.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(pop.sds.to_numpy(), x.std(axis=0, ddof=1), rtol=1e-13)
    np.testing.assert_allclose(pop.corr.to_numpy(), np.corrcoef(x, rowvar=False), atol=1e-13)


def test_a_users_population_drives_the_simulation():
    # the true slope a population implies is its own Model 5 OLS slope: statsmodels on the data
    from collabcomm import models

    data = _own_district()
    data["api_2012"] += 0.8 * data["collaborative"]
    expected = models.fit(data, 5).params["collaborative"]
    sim = S.simulate_model(26, reps=20, seed=1, population=S.population_from_data(data))
    assert sim["true_effect"] == pytest.approx(expected, rel=1e-10)
    assert sim["true_effect"] != pytest.approx(S.simulate_model(26, reps=20)["true_effect"])


@pytest.mark.parametrize("change, message", [
    (lambda d: d.drop(columns="collaborative"), r"own\.csv: missing column\(s\) \['collaborative'\]"),
    (lambda d: d.head(8), r"own\.csv: 8 school\(s\); a population of 8 variables needs at least 9"),
    (lambda d: d.astype({"sed_pct": object}).assign(sed_pct=lambda e: e["sed_pct"].where(
        e.index != 3, "n/a")), r"own\.csv: column 'sed_pct', row 4: 'n/a' is not a number"),
    (lambda d: d.assign(bureaucratic=d["bureaucratic"].where(d.index != 0)),
     r"own\.csv: column 'bureaucratic', row 1: is blank"),
    (lambda d: d.assign(fragmented=3.0), r"own\.csv: column\(s\) \['fragmented'\] are constant"),
    (lambda d: d.assign(api_2011=2 * d["school_size"] + 1), r"own\.csv: the correlation matrix"
                                                            r" .* is not positive definite"),
])
def test_a_bad_population_is_refused_naming_the_source(change, message):
    with pytest.raises(CollabcommError, match=message):
        S.population_from_data(change(_own_district()), source="own.csv")


# --- any unit file and a model specification (R survey's apipop) ------------------------------

def _apipop(name="apipop_power.yaml"):
    import warnings

    from collabcomm import modelspec, schooldata

    spec = modelspec.load_spec(REPO / "data" / "examples" / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 37 schools lack enroll (tests/test_models.py)
        data = schooldata.load_school_data(REPO / "data" / "examples" / "apipop.csv", spec=spec,
                                           missing="drop")
    return spec, data


def test_population_from_any_numeric_columns():
    spec, data = _apipop()
    pop = S.population_from_data(data, columns=spec.columns, source="apipop")
    x = data[list(spec.columns)].to_numpy(float)
    assert list(pop.means.index) == ["api00", "api99", "enroll", "meals"]
    np.testing.assert_allclose(pop.means.to_numpy(), x.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(pop.sds.to_numpy(), x.std(axis=0, ddof=1), rtol=1e-13)
    np.testing.assert_allclose(pop.corr.to_numpy(), np.corrcoef(x, rowvar=False), atol=1e-13)
    with pytest.raises(CollabcommError, match=r"apipop: missing column\(s\) \['mobility'\]"):
        S.population_from_data(data, columns=["api00", "mobility"], source="apipop")
    # the default is still the eight school variables
    with pytest.raises(CollabcommError, match=r"apipop: missing column\(s\) \['api_2012'"):
        S.population_from_data(data, source="apipop")


def test_a_specification_drives_the_simulation_of_its_last_term():
    # the true slope is the population's own OLS slope of the focal term: R's lm on apipop
    spec, data = _apipop()
    pop = S.population_from_data(data, columns=spec.columns)
    ref = pd.read_csv(REPO / "tests" / "reference" / "apipop_lm.csv").set_index("term")
    sim = S.simulate_model(26, reps=400, seed=2, population=pop, model=1, spec=spec)
    assert sim["focal"] == "meals"
    assert sim["true_effect"] == pytest.approx(ref.loc["meals", "coef"], rel=1e-10)
    assert sim["reliability"] == pytest.approx(1.0)  # alpha = 1, no teachers: no error
    assert sim["estimate"].mean() == pytest.approx(sim["true_effect"], abs=4 * sim[
        "estimate"].std() / np.sqrt(400))  # unbiased without measurement error
    with pytest.raises(ParameterError, match="model 1 adds no term to the controls"):
        S.simulate_model(26, population=pop, model=1, spec=_apipop("apipop_models.yaml")[0])
    with pytest.raises(ParameterError, match=r"model must be one of 1, not 5"):
        S.simulate_model(26, population=pop, spec=spec)
    with pytest.raises(CollabcommError, match=r"the population has no column\(s\) \['api00', "
                                              r"'api99', 'enroll', 'meals'\]"):
        S.simulate_model(26, model=1, spec=spec)  # the published population


def test_exhibit4_as_a_specification_simulates_the_same_draws():
    from collabcomm.modelspec import exhibit4

    a = S.simulate_model(26, reps=30, seed=4, model=6, alpha=0.7, teachers=20)
    b = S.simulate_model(26, reps=30, seed=4, model=6, alpha=0.7, teachers=20, spec=exhibit4())
    for key in ("estimate", "se", "p"):
        np.testing.assert_array_equal(a[key], b[key])
    assert a["focal"] == b["focal"] == "collaborative"


@pytest.mark.notebooks
def test_notebook_07_simulates_a_specification_from_apipop(project_copy):
    from collabcomm.precision import round_significant

    ref = pd.read_csv(REPO / "tests" / "reference" / "apipop_lm.csv").set_index("term")
    before = tree_digest(project_copy)
    report = pipeline.run(project_copy, only=["07"], progress=False, out=io.StringIO(),
                          overrides={"population_path": "data/examples/apipop.csv",
                                     "spec_path": "data/examples/apipop_power.yaml",
                                     "missing": "drop", "alpha": 1.0, "icc1": 1.0, "reps": 200,
                                     "n_grid": [10, 26], "alpha_grid": [0.75]})
    assert report.ok, report.failure and report.failure.message
    own = project_copy / "build" / "own_data"  # your files: never data/derived or figures/
    summary = pd.read_csv(own / "power_summary.csv")
    assert summary["true_effect"].iloc[0] == round_significant(ref.loc["meals", "coef"])
    assert summary["reliability"].iloc[0] == 1.0
    assert {p.name for p in (own / "figures").iterdir()} >= {
        "power_curve.svg", "power_estimates.png", "power_attenuation.svg"}
    assert tree_digest(project_copy, skip="build") == before  # data/derived, figures untouched
