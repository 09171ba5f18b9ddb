"""Exhibit 4's models (collabcomm.models): specifications, fitting, tidy results, table layout,
and OLS from summary statistics against statsmodels and against R's lm."""

from __future__ import annotations

import re
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


def _school_file(tmp_path, change=None, name="schools.csv"):
    data = reconstruct.schools().astype({"collaborative": object})
    path = tmp_path / name
    (change(data) if change else data).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("change, message", [
    (lambda d: d.drop(columns=["sed_pct"]), r"schools\.csv: missing column\(s\) \['sed_pct'\]"),
    (lambda d: d.assign(collaborative=d["collaborative"].where(d.index != 2, "high")),
     r"schools\.csv: column 'collaborative', row 4: 'high' is not a number"),
    (lambda d: d.assign(collaborative=d["collaborative"].where(d.index != 2)),
     r"schools\.csv: column 'collaborative', row 4: is blank"),
])
def test_load_school_data_names_file_column_and_line(tmp_path, change, message):
    # row numbers are file lines: the header is line 1, the third school line 4
    with pytest.raises(CollabcommError, match=message):
        M.load_school_data(_school_file(tmp_path, change))


def test_load_school_data_reads_a_good_file_and_refuses_a_missing_or_empty_one(tmp_path):
    data = M.load_school_data(_school_file(tmp_path))
    assert len(data) == 26 and data["collaborative"].dtype.kind == "f"
    with pytest.raises(CollabcommError, match=r"none\.csv: school data file not found"):
        M.load_school_data(tmp_path / "none.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(CollabcommError, match=r"empty\.csv: cannot be read as CSV"):
        M.load_school_data(tmp_path / "empty.csv")


def test_one_blank_cell_rule_for_every_entry_point(tmp_path):
    from collabcomm import simulate
    from collabcomm.errors import MissingDataWarning, ParameterError

    d = reconstruct.schools(1)
    d.loc[[2, 7], "collaborative"] = np.nan
    d.loc[4, "bureaucratic"] = np.nan  # used by models 2 and 6 only
    # refused by default, naming the column and the (1-based) row
    for call in (lambda: M.fit(d, 5), lambda: M.fit_all(d), lambda: M.vifs(d, 5),
                 lambda: M.influence(d, 5), lambda: M.partial_regression(d, 5, "collaborative"),
                 lambda: simulate.population_from_data(d, source="d")):
        with pytest.raises(CollabcommError, match=r"column '(collaborative|bureaucratic)', "
                                                  r"row (3|5): is blank"):
            call()
    # a model that does not use the blank column is not affected
    assert int(M.fit(d, 3).nobs) == 26
    # dropped on request, with a warning that counts and names the rows
    with pytest.warns(MissingDataWarning, match=r"left out 2 of 26 rows .* \(rows 3, 8\)"):
        res = M.fit(d, 5, missing="drop")
    assert int(res.nobs) == 24
    complete = d.drop(index=[2, 7])
    np.testing.assert_allclose(res.params, M.fit(complete, 5).params, rtol=1e-12)
    with pytest.warns(MissingDataWarning, match="left out 3 of 26 rows"):
        pop = simulate.population_from_data(d, source="d", missing="drop")
    assert pop.means["api_2012"] == pytest.approx(d.drop(index=[2, 4, 7])["api_2012"].mean())
    path = tmp_path / "schools.csv"
    d.to_csv(path, index=False)
    with pytest.raises(CollabcommError, match=r"schools\.csv: column 'collaborative', row 4: "):
        M.load_school_data(path)  # file lines: the header is line 1
    with pytest.warns(MissingDataWarning, match=r"rows 4, 6, 9\)"):
        assert len(M.load_school_data(path, missing="drop")) == 23
    with pytest.raises(ParameterError, match="missing must be one of"):
        M.fit(d, 1, missing="pairwise")


def _with_cell(column, row, value):
    """A change for _school_file: data row ``row`` (0-based) of ``column`` set to ``value``."""
    def change(d):
        d = d.astype({column: object})
        d.loc[row, column] = value
        return d
    return change


@pytest.mark.parametrize("change, where, what", [
    (_with_cell("api_2012", 0, "inf"), "column 'api_2012', row 2", "'inf' is not a finite number"),
    (_with_cell("sed_pct", 5, "-inf"), "column 'sed_pct', row 7", "'-inf' is not a finite number"),
    (_with_cell("school_size", 9, "1e200"), "column 'school_size', row 11",
     r"'1e\+200' is larger in size than 1e\+12"),
    (_with_cell("school_id", 3, ""), "column 'school_id', row 5", "is blank; every school needs "
                                                                  "an id"),
    (_with_cell("school_id", 6, "S02"), "column 'school_id', row 8",
     "'S02' repeats row 3; each school must appear once"),
])
def test_numbers_that_are_not_numbers_and_missing_ids_are_refused(tmp_path, change, where, what):
    # every entry point that reads a school file: notebooks 04 and 05 (load_school_data) and
    # 07 (population_from_data on the frame; its rows are counted from 1, not file lines)
    from collabcomm import simulate

    path = _school_file(tmp_path, change)
    with pytest.raises(CollabcommError, match=rf"schools\.csv: {where}: {what}"):
        M.load_school_data(path)
    frame_rows = lambda text: re.sub(r"row (\d+)", lambda m: f"row {int(m[1]) - 1}", text)  # noqa: E731
    with pytest.raises(CollabcommError, match=rf"own: {frame_rows(where)}: {frame_rows(what)}"):
        simulate.population_from_data(pd.read_csv(path), source="own")


def test_item_effects_needs_school_ids():
    d = reconstruct.schools().drop(columns="school_id")
    with pytest.raises(CollabcommError, match="school data lack column 'school_id'"):
        M.item_effects(d, pd.DataFrame({"school_id": [], "x": []}), ["x"])


@pytest.mark.parametrize("change, for_models, for_population", [
    (lambda d: d.head(2), r"2 school\(s\); model 1 \(3 regressors and a constant\) needs at "
                          r"least 5", r"2 school\(s\); a population of 8 variables needs at least 9"),
    (lambda d: d.head(8), r"8 school\(s\); model 6 \(7 regressors and a constant\) needs at "
                          r"least 9", r"8 school\(s\); a population of 8 variables needs at least 9"),
    (lambda d: d.assign(fragmented=3.0),
     r"column\(s\) \['fragmented'\] are constant \(zero variance\); model 4 \(4 regressors and "
     r"a constant\) cannot be estimated from them",
     r"column\(s\) \['fragmented'\] are constant \(zero variance\); a population of 8 "
     r"variables cannot be estimated from them"),
    (lambda d: d.assign(api_2011=2 * d["school_size"] + 1),
     r"the correlation matrix of \['api_2012', 'sed_pct', 'api_2011', 'school_size'\] is not "
     r"positive definite \(smallest eigenvalue .*\); columns \['api_2011', 'school_size'\] are "
     r"collinear, so model 1 \(3 regressors and a constant\) cannot separate them",
     r"the correlation matrix of .* is not positive definite \(smallest eigenvalue .*\); columns "
     r"\['api_2011', 'school_size'\] are collinear, so a population of 8 variables cannot "
     r"separate them"),
])
def test_one_validation_of_degenerate_school_files(tmp_path, change, for_models, for_population):
    # notebook 04 (load_school_data, fit_all) refuses what notebook 07 (population_from_data)
    # refuses, through the same check_design, and both name the file
    from collabcomm import simulate

    data = reconstruct.schools()
    path = tmp_path / "own.csv"
    change(data).to_csv(path, index=False)
    schools = M.load_school_data(path)
    with pytest.raises(CollabcommError, match=rf"^{re.escape(str(path))}: {for_models}"):
        M.fit_all(schools)
    with pytest.raises(CollabcommError, match=rf"^{re.escape(str(path))}: {for_population}"):
        simulate.population_from_data(schools, source=str(path))
    for call in (lambda: M.vifs(schools, 6), lambda: M.influence(schools, 6),
                 lambda: M.partial_regression(schools, 6, "collaborative")):
        with pytest.raises(CollabcommError, match=rf"^{re.escape(str(path))}: "):
            call()
