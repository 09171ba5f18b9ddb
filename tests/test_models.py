"""Exhibit 4's models (collabcomm.models): specifications, fitting, tidy results, table layout,
and OLS from summary statistics against statsmodels and against R's lm."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from collabcomm import models as M
from collabcomm import reconstruct
from collabcomm.errors import CollabcommError

REF = Path(__file__).parent / "reference"


def test_specifications_are_design_md():
    spec = M.specifications().set_index("model")["formula"]
    assert spec[1] == "api_2012 ~ sed_pct + api_2011 + school_size"
    assert spec[2] == "api_2012 ~ sed_pct + api_2011 + school_size + bureaucratic"
    assert spec[5].endswith("+ collaborative")
    assert spec[6] == ("api_2012 ~ sed_pct + api_2011 + school_size + bureaucratic + "
                       "traditional + fragmented + collaborative")
    assert M.regressors(5, drop=("sed_pct",)) == ["api_2011", "school_size", "collaborative"]
    with pytest.raises(CollabcommError, match="model must be one of 1-6"):
        M.regressors(7)
    with pytest.raises(CollabcommError, match="unknown regressor"):
        M.regressors(1, drop=("size",))


def test_fit_refuses_missing_columns():
    with pytest.raises(CollabcommError, match=r"lack column\(s\) \['collaborative'\]"):
        M.fit(reconstruct.schools(1).drop(columns="collaborative"), 5)


def test_tidy_matches_statsmodels_array_api():
    d = reconstruct.schools(3)
    tid = M.tidy(M.fit(d, 6), 6).set_index("term")
    x = sm.add_constant(d[M.regressors(6)])
    ref = sm.OLS(d["api_2012"], x).fit()
    np.testing.assert_allclose(tid.loc["const", "coef"], ref.params["const"], rtol=1e-10)
    for t in M.regressors(6):
        np.testing.assert_allclose(tid.loc[t, ["coef", "se", "p"]].astype(float),
                                   [ref.params[t], ref.bse[t], ref.pvalues[t]], rtol=1e-9)
    assert (tid["r_squared"] == ref.rsquared).all() and (tid["n"] == 26).all()
    assert list(tid.columns) == ["model", "coef", "se", "t", "p", "stars", "ci_low", "ci_high",
                                 "r_squared", "adj_r_squared", "n"]


@pytest.mark.parametrize("seed", [1, 2012])
@pytest.mark.parametrize("drop", [(), ("sed_pct",), ("api_2011",)])
def test_closed_form_equals_statsmodels_on_the_reconstruction(seed, drop):
    d = reconstruct.schools(seed)
    t = reconstruct.published_target()
    fitted = M.fit_all(d, drop=drop)
    mom = M.models_from_moments(t.corr, t.sds, t.means, 26, drop=drop)
    m = fitted.merge(mom, on=["model", "term"], suffixes=("", "_m"))
    assert len(m) == len(fitted) == len(mom)
    for col in ("coef", "se", "t", "p", "r_squared", "adj_r_squared", "ci_low", "ci_high"):
        np.testing.assert_allclose(m[col], m[f"{col}_m"], rtol=1e-8, atol=1e-8, err_msg=col)
    assert (m["stars"] == m["stars_m"]).all()


@pytest.fixture(scope="module")
def lm_reference():
    path = REF / "lm_reference.csv"
    if not path.exists():
        pytest.fail("tests/reference/lm_reference.csv missing: run Rscript tests/reference/lm_reference.R")
    return pd.read_csv(path)


def test_statsmodels_equals_r_lm(lm_reference):
    d = pd.read_csv(REF / "schools_for_lm.csv")
    fitted = M.fit_all(d)
    m = fitted.merge(lm_reference, on=["model", "term"], suffixes=("", "_r"))
    assert len(m) == len(lm_reference) == len(fitted) == 4 + 4 * 5 + 8
    for col in ("coef", "se", "t", "p", "r_squared", "adj_r_squared"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], rtol=1e-8, atol=1e-12, err_msg=col)


def test_hc3_equals_r_sandwich_with_t(lm_reference):
    # R: coeftest(fit, vcov. = vcovHC(fit, type = "HC3")), t with n - k - 1 df
    d = pd.read_csv(REF / "schools_for_lm.csv")
    fitted = M.fit_all(d, cov_type="HC3")
    m = fitted.merge(lm_reference, on=["model", "term"], suffixes=("", "_r"))
    assert len(m) == len(lm_reference)
    np.testing.assert_allclose(m["coef"], m["coef_r"], rtol=1e-8)
    for col in ("se", "t", "p"):
        np.testing.assert_allclose(m[col], m[f"{col}_hc3"], rtol=1e-8, atol=1e-14, err_msg=col)
    # the 95% interval uses t(n - k - 1) too
    row = m[(m.model == 1) & (m.term == "api_2011")].iloc[0]
    half = stats.t.ppf(0.975, row["df_resid"]) * row["se_hc3"]
    assert row["ci_high"] - row["coef"] == pytest.approx(half, rel=1e-10)


def test_closed_form_equals_r_lm(lm_reference):
    d = pd.read_csv(REF / "schools_for_lm.csv")
    cols = [c for c in d.columns if c != "school_id"]
    mom = M.models_from_moments(d[cols].corr(), d[cols].std(), d[cols].mean(), len(d))
    m = mom.merge(lm_reference, on=["model", "term"], suffixes=("", "_r"))
    assert len(m) == len(lm_reference)
    for col in ("coef", "se", "t", "p", "r_squared"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], rtol=1e-8, atol=1e-12, err_msg=col)


def test_regression_table_layout():
    res = M.fit_all(reconstruct.schools(1))
    tab = M.regression_table(res)
    assert list(tab.columns) == [f"Model {m}" for m in range(1, 7)]
    assert list(tab.index) == ["% SED", "API 2011", "School Size", "Bureaucratic", "Traditional",
                               "Fragmented", "Collaborative", "Constant", "Observations",
                               "R-squared"]
    assert tab.loc["Bureaucratic", "Model 3"] == ""       # not in the model: blank
    assert tab.loc["Observations"].tolist() == ["26"] * 6
    cell = res[(res.model == 5) & (res.term == "collaborative")].iloc[0]
    assert tab.loc["Collaborative", "Model 5"] == f"{cell.coef:.3f}{cell.stars}"


def test_compare_exhibit4_shape_and_blank_cell():
    cmp = M.compare_exhibit4(M.fit_all(reconstruct.schools(1)))
    assert len(cmp) == 44  # 6 x (3 controls + const + N + R2) + 4 + 4 community cells
    m1c = cmp[(cmp.model == 1) & (cmp.term == "const")].iloc[0]
    assert np.isnan(m1c["published"]) and not m1c["value_match"] and not m1c["stars_match"]
    assert cmp[cmp.term == "n_obs"]["value_match"].all()
    assert cmp[cmp.term.isin(["n_obs", "r_squared"])]["stars_match"].isna().all()


def test_standardized_vif_and_influence():
    d = reconstruct.schools(4)
    res = M.standardized(M.fit_all(d), d)
    row = res[(res.model == 5) & (res.term == "collaborative")].iloc[0]
    assert row["beta"] == pytest.approx(row["coef"] * d["collaborative"].std() / d["api_2012"].std())
    v = M.vifs(d, 1)
    # VIF_j = 1 / (1 - R_j^2), R_j^2 from regressing x_j on the other regressors (by hand)
    r2 = sm.OLS(d["sed_pct"], sm.add_constant(d[["api_2011", "school_size"]])).fit().rsquared
    assert v["sed_pct"] == pytest.approx(1 / (1 - r2))
    inf = M.influence(d, 5)
    assert list(inf.columns) == ["school_id", "cooks_d", "leverage", "student_resid"]
    assert inf["leverage"].sum() == pytest.approx(5)  # trace of the hat matrix = k + 1


def test_hc3_differs_from_classical_but_keeps_coefficients():
    d = reconstruct.schools(4)
    a, b = M.tidy(M.fit(d, 5), 5), M.tidy(M.fit(d, 5, cov_type="HC3"), 5)
    np.testing.assert_allclose(a["coef"], b["coef"])
    assert not np.allclose(a["se"], b["se"])


def _hand_made_items():
    """Three teachers per school; item a's school mean is the Model 1 residual itself,
    item b's is minus twice it, item c's is unrelated (constant school means)."""
    schools = reconstruct.schools(1)
    resid = M.fit(schools, 1).resid.to_numpy()
    offsets = np.array([-1.0, 0.0, 1.0])
    rows = []
    for j, sid in enumerate(schools["school_id"]):
        for i, d in enumerate(offsets):
            rows.append({"teacher_id": f"{sid}-{i}", "school_id": sid, "a": resid[j] + d,
                         "b": -2 * resid[j] + d, "c": 3.0 + d * (1 + j % 2)})
    return schools, pd.DataFrame(rows), resid, offsets


def test_item_effects_hand_made_known_answer():
    schools, responses, resid, offsets = _hand_made_items()
    e = M.item_effects(schools, responses, ["a", "b", "c"]).set_index("item_id")
    assert e.loc["a", "school_r"] == pytest.approx(1.0)
    assert e.loc["b", "school_r"] == pytest.approx(-1.0)
    assert e.loc["a", "school_b"] == pytest.approx(1.0)
    assert e.loc["b", "school_b"] == pytest.approx(-0.5)
    assert np.isnan(e.loc["c", "school_r"])  # constant school means: undefined, ranked last
    assert e.loc["c", "rank"] == 3
    # teacher level by hand: corr(resid_j + d_i, resid_j) over all teachers
    t_resid = np.repeat(resid, 3)
    answers = t_resid + np.tile(offsets, len(resid))
    assert e.loc["a", "teacher_r"] == pytest.approx(np.corrcoef(answers, t_resid)[0, 1])
    assert list(e.sort_values("rank").index[:1]) == ["a"]


def test_item_effects_refuses_unknown_schools():
    schools, responses, _, _ = _hand_made_items()
    responses.loc[0, "school_id"] = "ZZZ"
    with pytest.raises(CollabcommError, match="not in the school data"):
        M.item_effects(schools, responses, ["a"])


def test_compare_exhibit5_signs_and_readings():
    from collabcomm.schema import ITEM_IDS

    s = reconstruct.schools(2012)
    t = reconstruct.teachers(s, 2012)
    e = M.item_effects(s, t, list(ITEM_IDS))
    for reading in M.READINGS:
        c = M.compare_exhibit5(e, reading=reading)
        assert len(c) == 20 and set(c["reading"]) == {reading}
        assert c["sign_match"].all()  # the generator guarantees Exhibit 5's signs
        assert sorted(c["reproduced_rank"]) == list(range(1, 21))
    with pytest.raises(CollabcommError, match="reading must be one of"):
        M.compare_exhibit5(e, reading="r")


def test_item_effects_needs_school_ids():
    d = reconstruct.schools().drop(columns="school_id")
    with pytest.raises(CollabcommError, match="school data lack column 'school_id'"):
        M.item_effects(d, pd.DataFrame({"school_id": [], "x": []}), ["x"])


# --- any unit file and any specification: R survey's apipop (real data) -----------------------

APIPOP = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture(scope="module")
def apipop():
    """The apipop specification and its 6,157 complete schools (37 lack ``enroll``)."""
    from collabcomm import modelspec, schooldata
    from collabcomm.errors import MissingDataWarning

    spec = modelspec.load_spec(APIPOP / "apipop_models.yaml")
    with pytest.warns(MissingDataWarning, match="left out 37 of 6194 rows"):
        data = schooldata.load_school_data(APIPOP / "apipop.csv", spec=spec, missing="drop")
    return spec, data


def test_statsmodels_equals_r_lm_on_apipop_to_1e_8(apipop):
    # R: lm(api00 ~ api99 + meals + enroll, data = apipop), tests/reference/apipop_lm.R
    spec, data = apipop
    ref = pd.read_csv(REF / "apipop_lm.csv")
    res = M.fit(data, 1, spec=spec)
    m = M.tidy(res, 1).merge(ref, on=["model", "term"], suffixes=("", "_r"))
    assert list(m["term"]) == ["const", "api99", "meals", "enroll"] and len(ref) == 4
    for col in ("coef", "se", "t", "r_squared", "adj_r_squared"):
        np.testing.assert_allclose(m[col], m[f"{col}_r"], rtol=1e-8, atol=0, err_msg=col)
    # p: R's pt and scipy's t.sf agree; for api99 (t = 171) both underflow to 0
    np.testing.assert_allclose(m["p"], m["p_r"], rtol=1e-8, atol=0)
    assert m.loc[m.term == "api99", "p"].item() == 0.0
    assert (m["n"] == m["n_r"]).all() and int(res.df_resid) == ref["df_resid"].iloc[0] == 6153
    np.testing.assert_allclose(np.sqrt(res.scale), ref["sigma"].iloc[0], rtol=1e-8)
    # the same fit from the raw file, rows left out model by model as lm's na.omit does
    raw = pd.read_csv(APIPOP / "apipop.csv", dtype={"cds": str})
    with pytest.warns(UserWarning, match=r"left out 37 of 6194 rows .* \(rows 371, 372, 373,"):
        again = M.fit(raw, 1, spec=spec, missing="drop")
    np.testing.assert_allclose(again.params, res.params, rtol=1e-12)
    with pytest.raises(CollabcommError, match=r"column 'enroll', row 371: is blank"):
        M.fit(raw, 1, spec=spec)


def test_every_model_function_runs_on_a_specification(apipop):
    spec, data = apipop
    fits = M.fit_all(data, spec=spec)
    assert list(fits["model"].unique()) == [1] and (fits["n"] == 6157).all()
    assert M.specifications(spec=spec).to_dict("records") == [
        {"model": 1, "formula": "api00 ~ api99 + meals + enroll",
         "regressors": "api99,meals,enroll"}]
    tab = M.regression_table(fits, spec=spec)
    assert list(tab.index) == ["api99", "meals", "enroll", "Constant", "Observations",
                               "R-squared"]
    assert tab.loc["Observations", "Model 1"] == "6157"
    assert tab.loc["R-squared", "Model 1"] == "0.956"  # R: 0.955742747647328
    std = M.standardized(fits, data, spec=spec).set_index("term")
    assert std.loc["meals", "beta"] == pytest.approx(
        std.loc["meals", "coef"] * data["meals"].std() / data["api00"].std(), rel=1e-12)
    v = M.vifs(data, 1, spec=spec)
    r2 = sm.OLS(data["enroll"], sm.add_constant(data[["api99", "meals"]])).fit().rsquared
    assert v["enroll"] == pytest.approx(1 / (1 - r2), rel=1e-10)
    inf = M.influence(data, 1, spec=spec)
    assert list(inf.columns) == ["cds", "cooks_d", "leverage", "student_resid"]
    assert inf["cds"].iloc[0] == "01611190130229"  # the id is text, leading zero kept
    assert inf["leverage"].sum() == pytest.approx(4)  # trace of the hat matrix = k + 1
    part = M.partial_regression(data, 1, "enroll", spec=spec)
    slope = np.polyfit(part["x_resid"], part["y_resid"], 1)[0]  # Frisch-Waugh-Lovell
    assert slope == pytest.approx(fits.set_index("term").loc["enroll", "coef"], rel=1e-9)
    assert list(part.columns) == ["cds", "x_resid", "y_resid"]
    with pytest.raises(CollabcommError, match=r"apipop_models\.yaml: model must be one of 1, "
                                              "not 5"):
        M.fit(data, 5, spec=spec)
    with pytest.raises(CollabcommError, match=r"lack column\(s\) \['api00', 'api99', 'enroll', "
                                              r"'meals'\] needed by model 1"):
        M.fit(reconstruct.schools(1), 1, spec=spec)


def test_the_default_specification_is_exhibit4_exactly():
    d = reconstruct.schools(5)
    e = M.exhibit4()
    pd.testing.assert_frame_equal(M.fit_all(d), M.fit_all(d, spec=e))
    pd.testing.assert_frame_equal(M.fit_all(d, drop=("sed_pct",), cov_type="HC3"),
                                  M.fit_all(d, drop=("sed_pct",), cov_type="HC3", spec=e))
    pd.testing.assert_frame_equal(M.regression_table(M.fit_all(d)),
                                  M.regression_table(M.fit_all(d), spec=e))
    pd.testing.assert_frame_equal(M.influence(d, 3), M.influence(d, 3, spec=e))
    assert M.formula(4) == M.formula(4, spec=e) == e.formula(4)
