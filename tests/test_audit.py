"""Comparisons of reproduced with published numbers (collabcomm.audit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collabcomm import audit, published, reconstruct


@pytest.mark.parametrize("x, p, d, expected", [
    (0.9549, 0.95, 2, True),
    (0.9551, 0.95, 2, False),
    (0.955, 0.95, 2, True),      # exactly on the boundary: matches
    (0.9450, 0.95, 2, True),
    (0.9449999, 0.95, 2, False),
    (-0.29499, -0.29, 2, True),
    (-0.2951, -0.29, 2, False),
    (849.224, 849.22, 2, True),
    (26.0, 26.0, 0, True),
    (26.6, 26.0, 0, False),
    (0.07895, 0.0790, 4, True),
    (float("nan"), 0.5, 1, False),
])
def test_matches_published_at_the_edges(x, p, d, expected):
    assert audit.matches_published(x, p, d) is expected


def test_binary_float_cannot_tip_a_boundary():
    # 0.1 + 0.2 = 0.30000000000000004 still rounds to 0.3 at any precision up to 15
    assert audit.matches_published(0.1 + 0.2, 0.3, 15)


def test_compare_descriptives_on_the_reconstruction_all_match():
    d = reconstruct.schools(5)
    table = audit.compare_descriptives(d)
    assert len(table) == 32 and table["match"].all()


def test_compare_descriptives_catches_a_planted_difference():
    d = reconstruct.schools(5)
    d.loc[0, "fragmented"] += 0.5   # moves the mean of Fragmented by 0.019
    table = audit.compare_descriptives(d).set_index(["variable", "statistic"])
    assert not table.loc[("fragmented", "mean"), "match"]
    assert table.drop(index="fragmented", level=0)["match"].all()


def test_compare_correlations_values_and_stars():
    d = reconstruct.schools(5)
    table = audit.compare_correlations(d)
    assert len(table) == 28
    assert table["value_match"].all() and table["stars_match"].all()
    # the borderline published star: Traditional-Bureaucratic -0.3997* (critical r .3882)
    row = table[(table.row == "traditional") & (table.col == "bureaucratic")].iloc[0]
    assert row["reproduced_stars"] == "*" and 0.04 < row["p"] < 0.05


def test_compare_correlations_flags_a_star_that_the_values_do_not_support():
    x = np.random.default_rng(0).standard_normal((26, 8))
    cols = list(published.correlation_matrix().columns)
    d = pd.DataFrame(x, columns=cols)
    table = audit.compare_correlations(d)
    starred = table[table.published_stars == "*"]
    assert not starred["stars_match"].all()  # independent noise cannot support r = .98


# --- consistency checks on hand-made tables ---------------------------------------------------

from tables import item_table, tables_from_data  # noqa: E402

from collabcomm import models  # noqa: E402
from collabcomm.schema import AUDIT_COLUMNS, AUDIT_STATUSES, ITEM_IDS  # noqa: E402


@pytest.fixture(scope="module")
def consistent():
    data = reconstruct.schools(11, integer_columns=["api_2012", "api_2011", "school_size"])
    return data, tables_from_data(data)


def _statuses(frame):
    assert list(frame.columns[:7]) == list(AUDIT_COLUMNS)
    assert set(frame["status"]) <= set(AUDIT_STATUSES)
    return frame["status"].value_counts().to_dict()


def test_grim_by_hand():
    assert not audit.grim(849.22, 2, 26) and audit.grim(849.23, 2, 26)
    assert audit.grim(34.25, 2, 28) and not audit.grim(34.25, 2, 26)
    assert audit.grim(3.0, 0, 7)


def test_grim_consistent_table_passes_and_planted_mean_is_caught(consistent):
    _, t = consistent
    assert _statuses(audit.check_grim(t["descriptives"], t["n"])) == {"match": 9}
    bad = t["descriptives"].copy()
    i = bad.index[(bad.variable == "api_2011") & (bad.statistic == "mean")][0]
    bad.loc[i, "value"] = round(bad.loc[i, "value"] + 0.01, 2)  # off the 1/26 grid
    out = audit.check_grim(bad, t["n"])
    assert list(out[out.status == "inconsistent"]["quantity"]) == ["mean of api_2011 at N = 26"]


def test_correlation_stars_consistent_and_planted(consistent):
    _, t = consistent
    assert set(audit.check_correlation_stars(t["correlations"], 26)["status"]) == {"match"}
    bad = t["correlations"].copy()
    k = bad.index[bad["value"].abs() < 0.3][0]
    bad.loc[k, "stars"] = "*"
    out = audit.check_correlation_stars(bad, 26)
    assert (out["status"] == "inconsistent").sum() == 1
    assert out.loc[out.status == "inconsistent", "cell_row"].iloc[0] == bad.loc[k, "row"]


def test_correlation_star_on_the_rounding_boundary_is_accepted_either_way():
    rc = 0.3882  # critical r at N = 26, rounded; 0.388 printed with 3 decimals straddles it
    corr = pd.DataFrame({"row": ["a", "b"], "col": ["x", "y"], "row_label": ["a", "b"],
                         "col_label": ["x", "y"], "value": [0.388, 0.388],
                         "decimals": pd.array([3, 3], dtype="Int64"), "stars": ["*", ""],
                         "kind": ["correlation", "correlation"]})
    assert set(audit.check_correlation_stars(corr, 26)["status"]) == {"match"}
    assert rc > 0.388


def test_batch_ols_equals_closed_form():
    t = reconstruct.published_target()
    vs = list(t.means.index)
    res = audit.batch_ols(t.corr.to_numpy()[None], t.sds.to_numpy()[None],
                          t.means.to_numpy()[None], 26, vs.index("api_2012"),
                          [vs.index(x) for x in models.regressors(6)])
    ref = models.ols_from_moments(t.corr, t.sds, t.means, 26, "api_2012", models.regressors(6))
    np.testing.assert_allclose(res["coef"][0], ref.coef.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(res["p"][0], ref.p.to_numpy(), rtol=1e-9)
    assert res["r_squared"][0] == pytest.approx(ref.r_squared)


def test_exhibit4_from_moments_consistent_and_planted(consistent):
    _, t = consistent
    out = audit.check_exhibit4_from_moments(t["descriptives"], t["correlations"],
                                            t["regressions"], 26, draws=500)
    assert set(out["status"]) == {"match"}, out[out.status != "match"]
    bad = t["regressions"].copy()
    i = bad.index[(bad.model == 5) & (bad.term == "collaborative")][0]
    bad.loc[i, "value"] = round(bad.loc[i, "value"] + 0.2, 3)
    out = audit.check_exhibit4_from_moments(t["descriptives"], t["correlations"], bad, 26,
                                            draws=500)
    flagged = out[out.status == "inconsistent"]
    assert list(flagged["quantity"]) == ["Model 5: collaborative"]


def test_exhibit4_internal_consistent_and_planted(consistent):
    _, t = consistent
    assert set(audit.check_exhibit4_internal(t["regressions"], 26)["status"]) == {"match"}
    bad = t["regressions"].copy()
    i = bad.index[(bad.model == 3) & (bad.term == "traditional")][0]
    bad.loc[i, "stars"] = "" if bad.loc[i, "stars"] else "**"
    out = audit.check_exhibit4_internal(bad, 26)
    assert list(out[out.status == "inconsistent"]["quantity"]) == [
        "Model 3: star of traditional vs R-squared gain over Model 1"]


def test_exhibit5_consistent_and_planted(consistent):
    data, t = consistent
    teach = reconstruct.teachers(data, 11)
    eff = models.item_effects(data, teach, list(ITEM_IDS)).set_index("item_id")["school_r"]
    good = item_table(eff.to_dict())
    out = audit.check_exhibit5(t["descriptives"], t["correlations"], t["regressions"], good, 26)
    vs3 = out[out.check == "exhibit5_vs_exhibit3"]
    assert set(vs3["status"]) == {"match"}
    weak = item_table((eff / 5).to_dict(), decimals=4)
    out = audit.check_exhibit5(t["descriptives"], t["correlations"], t["regressions"], weak, 26)
    assert set(out[out.check == "exhibit5_vs_exhibit3"]["status"]) == {"inconsistent"}
    assert set(out[out.check == "exhibit5_signs"]["status"]) == {"match"}


def test_reconciliation_returns_a_consistent_matrix_unchanged(consistent):
    _, t = consistent
    rec = audit.reconcile(t["descriptives"], t["correlations"], t["regressions"], 26,
                          restarts=0)
    assert rec.distance == 0.0 and rec.feasible
    assert "already reproduce" in rec.message
    assert (rec.changes["change"] == 0).all()


def test_reconciliation_repairs_a_planted_change(consistent):
    _, t = consistent
    bad = t["regressions"].copy()
    i = bad.index[(bad.model == 5) & (bad.term == "collaborative")][0]
    bad.loc[i, "value"] = round(bad.loc[i, "value"] + 0.01, 3)
    rec = audit.reconcile(t["descriptives"], t["correlations"], bad, 26, restarts=0)
    assert rec.feasible and 0 < rec.distance < 0.05
    assert rec.cells[rec.cells.targeted]["within"].all()
    assert rec.min_eigenvalue > 0


def test_text_claims_on_planted_tables():
    desc = published.descriptives()
    out = audit.check_text_claims(published.claims(), desc, published.correlations(),
                                  published.regressions(), published.item_results(),
                                  published.items(), 26)
    assert len(out) == len(published.claims())
    fixed = desc.copy()
    i = fixed.index[(fixed.variable == "collaborative") & (fixed.statistic == "mean")][0]
    fixed.loc[i, "value"] = 41.2
    out2 = audit.check_text_claims(published.claims(), fixed, published.correlations(),
                                   published.regressions(), published.item_results(),
                                   published.items(), 26)
    c23 = lambda o: o[o.quantity.str.startswith("C23")]["status"].iloc[0]  # noqa: E731
    assert c23(out) == "inconsistent" and c23(out2) == "match"


# --- the findings on the paper's own tables (one test per reported number) -----------------

@pytest.fixture(scope="module")
def paper_audit():
    return audit.run_all(draws=1000)


def test_finding_grim(paper_audit):
    g = paper_audit[(paper_audit.check == "grim") & paper_audit.quantity.str.startswith("mean")]
    assert dict(zip(g.quantity, g.status, strict=True)) == {
        "mean of api_2012 at N = 26": "inconsistent", "mean of api_2011 at N = 26": "inconsistent",
        "mean of school_size at N = 26": "inconsistent"}


def test_finding_exhibit3_stars_all_hold(paper_audit):
    assert set(paper_audit[paper_audit.check == "correlation_stars"]["status"]) == {"match"}


def test_finding_exhibit4_implied_values():
    r = audit.exhibit4_ranges(published.descriptives(), published.correlations(), 26, draws=500)
    r = r.set_index(["model", "term"])
    assert r.loc[(5, "collaborative"), "implied"] == pytest.approx(0.5283, abs=5e-5)
    assert r.loc[(1, "r_squared"), "implied"] == pytest.approx(0.9731, abs=5e-5)
    assert r.loc[(5, "collaborative"), "high"] < 0.957 - 0.0005


def test_finding_model2_star_against_r_squared(paper_audit):
    i = paper_audit[paper_audit.check == "exhibit4_internal"]
    assert list(i[i.status == "inconsistent"]["quantity"]) == [
        "Model 2: star of bureaucratic vs R-squared gain over Model 1"]


def test_finding_exhibit5_bounds():
    implied = audit.implied_residual_correlations(published.descriptives(),
                                                  published.correlations(), 26)
    assert implied["collaborative"] == pytest.approx(0.408, abs=5e-4)
    assert implied["traditional"] == pytest.approx(-0.522, abs=5e-4)
    out = audit.check_exhibit5(published.descriptives(), published.correlations(),
                               published.regressions(), published.item_results(), 26)
    row = out[(out.check == "exhibit5_vs_exhibit3") & out.quantity.str.startswith("collab")]
    assert row["published"].iloc[0] == "bound 0.237"


def test_finding_text_claims(paper_audit):
    t = paper_audit[paper_audit.check.str.startswith("text_")]
    bad = sorted(q.split(":")[0] for q in t[t.status == "inconsistent"]["quantity"])
    assert bad == ["C23", "C29", "C50"]


def test_finding_reconciliation():
    rec = audit.reconcile(published.descriptives(), published.correlations(),
                          published.regressions(), 26, restarts=0)
    assert rec.feasible
    top = rec.changes.iloc[0]
    assert {top["row"], top["col"]} == {"api_2012", "collaborative"}
    assert 0.15 < abs(top["change"]) < 0.25
    r2 = rec.cells[(rec.cells.term == "r_squared") & (rec.cells.model == 1)]["reconciled"].iloc[0]
    assert r2 < 0.955  # the published .96 cannot then hold


def _random_corr(p, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(40, p)) @ rng.normal(size=(p, p))
    return np.corrcoef(x, rowvar=False)


def _perturbed(corr, pairs, k, h):
    c = corr.copy()
    i, j = pairs[k]
    c[i, j] += h
    c[j, i] += h
    return c


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ols_moment_jacobian_matches_finite_differences(seed):
    p = 6
    corr = _random_corr(p, seed)
    pairs = [(i, j) for i in range(p) for j in range(i)]
    yi, xi = 0, [2, 3, 5]
    beta, r2, d_beta, d_r2 = audit.ols_moment_jacobian(corr, pairs, yi, xi)
    # the slopes and R-squared themselves: the normal equations, solved independently
    np.testing.assert_allclose(beta, np.linalg.solve(corr[np.ix_(xi, xi)], corr[xi, yi]),
                               rtol=1e-12)
    assert r2 == pytest.approx(corr[xi, yi] @ beta, rel=1e-12)
    h = 1e-6
    for k in range(len(pairs)):
        up = audit.ols_moment_jacobian(_perturbed(corr, pairs, k, h), pairs, yi, xi)
        dn = audit.ols_moment_jacobian(_perturbed(corr, pairs, k, -h), pairs, yi, xi)
        np.testing.assert_allclose(d_beta[:, k], (up[0] - dn[0]) / (2 * h), atol=1e-7)
        assert d_r2[k] == pytest.approx((up[1] - dn[1]) / (2 * h), abs=1e-7)
    # correlations that touch neither y nor a regressor have zero derivative
    untouched = [k for k, (i, j) in enumerate(pairs) if {i, j} <= {1, 4}]
    assert untouched and not d_beta[:, untouched].any() and not d_r2[untouched].any()


def test_ols_moments_batches_models_of_different_sizes():
    # three models of 1, 3 and 4 regressors on one matrix: each model's slopes and R-squared
    # equal models.ols_from_moments (standardized: unit SDs), the padded places are 0, and
    # every derivative matches central finite differences
    from collabcomm.models import ols_from_moments

    p = 6
    corr = _random_corr(p, 4)
    pairs = [(i, j) for i in range(p) for j in range(i)]
    xis = [[3], [1, 2, 5], [5, 1, 4, 2]]
    system = audit.OlsMoments(pairs, 0, xis, p)
    beta, r2, d_beta, d_r2 = system(corr)
    assert beta.shape == (3, 4) and d_beta.shape == (3, 4, len(pairs))
    names = [f"v{i}" for i in range(p)]
    frame = pd.DataFrame(corr, names, names)
    ones, zeros = pd.Series(1.0, names), pd.Series(0.0, names)
    for g, xi in enumerate(xis):
        fit = ols_from_moments(frame, ones, zeros, 200, "v0", [names[i] for i in xi])
        np.testing.assert_allclose(beta[g, :len(xi)], fit.coef[[names[i] for i in xi]],
                                   rtol=1e-12)
        assert r2[g] == pytest.approx(fit.r_squared, rel=1e-12)
        assert not beta[g, len(xi):].any() and not d_beta[g, len(xi):].any()
    h = 1e-6
    for k in range(len(pairs)):
        up, dn = system(_perturbed(corr, pairs, k, h)), system(_perturbed(corr, pairs, k, -h))
        np.testing.assert_allclose(d_beta[:, :, k], (up[0] - dn[0]) / (2 * h), atol=1e-7)
        np.testing.assert_allclose(d_r2[:, k], (up[1] - dn[1]) / (2 * h), atol=1e-7)
    with pytest.raises(ValueError, match="expected a 6 x 6 correlation matrix"):
        system(corr[:5, :5])


@pytest.mark.parametrize("seed", [0, 3])
def test_min_eigen_gradient_matches_finite_differences(seed):
    p = 5
    corr = _random_corr(p, seed)
    pairs = [(i, j) for i in range(p) for j in range(i)]
    lam, grad = audit.min_eigen_gradient(corr, pairs)
    assert lam == pytest.approx(np.linalg.eigvalsh(corr)[0], rel=1e-12)
    h = 1e-6
    fd = [(np.linalg.eigvalsh(_perturbed(corr, pairs, k, h))[0]
           - np.linalg.eigvalsh(_perturbed(corr, pairs, k, -h))[0]) / (2 * h)
          for k in range(len(pairs))]
    np.testing.assert_allclose(grad, fd, atol=1e-7)


def test_polish_projection_reaches_the_exact_projection():
    # project x0 = (2, 2) onto the disc x^2 + y^2 <= 1: the answer is (1, 1) / sqrt(2)
    x0 = np.array([2.0, 2.0])

    def g(x):
        return np.array([1 - x @ x])

    def g_jac(x):
        return -2 * x[None]

    start = np.array([0.70710, 0.70712])  # where an optimizer might have stopped
    got = audit._polish_projection(start, x0, g, g_jac)
    np.testing.assert_allclose(got, [2 ** -0.5, 2 ** -0.5], atol=1e-14)
    # weighted metric: min 4(x-2)^2 + (y-2)^2 s.t. x + y <= 1; by hand, 8(x-2) = 2(y-2) = -mu
    # and x + y = 1 give mu = 4.8, x = 1.4, y = -0.4
    got = audit._polish_projection(np.array([1.39, -0.39]), x0,
                                   lambda x: np.array([1 - x.sum()]),
                                   lambda x: -np.ones((1, 2)), weights=[4.0, 1.0])
    np.testing.assert_allclose(got, [1.4, -0.4], atol=1e-14)
    # a start that is already interior has no active constraint and is returned unchanged
    inner = np.array([0.1, 0.2])
    assert audit._polish_projection(inner, x0, g, g_jac) is inner


def test_reconciliation_optimum_is_pinned():
    # the nearest positive-definite matrix that reproduces Exhibit 4's coefficients; the same
    # objective is reached from every start (finite-difference SLSQP reached 0.21315749 too)
    rec = audit.reconcile(published.descriptives(), published.correlations(),
                          published.regressions(), 26, restarts=2)
    assert rec.feasible
    assert rec.distance ** 2 == pytest.approx(0.2131574914, abs=1e-10)
    assert rec.min_eigenvalue == pytest.approx(0.03179396, abs=1e-8)


def test_reconciliation_with_r_squared_is_infeasible():
    rec = audit.reconcile(published.descriptives(), published.correlations(),
                          published.regressions(), 26, restarts=1, include_r_squared=True)
    assert not rec.feasible
    assert rec.message.startswith("no nearby positive-definite matrix")
    assert rec.min_eigenvalue > 0
    assert not rec.cells[rec.cells.targeted]["within"].all()


def test_reconciliation_without_least_violation_search():
    # the R-squared variant as notebook 06 runs it: the answer is whether a feasible matrix
    # exists; without the search the published matrix is reported, unchanged
    rec = audit.reconcile(published.descriptives(), published.correlations(),
                          published.regressions(), 26, restarts=1, include_r_squared=True,
                          least_violation=False)
    assert not rec.feasible
    assert "least-violation search was not asked for" in rec.message
    assert rec.distance == 0 and not rec.changes["change"].any()
    # a feasible problem does not depend on the flag
    kw = dict(restarts=1, least_violation=False)
    rec = audit.reconcile(published.descriptives(), published.correlations(),
                          published.regressions(), 26, **kw)
    assert rec.feasible and rec.distance ** 2 == pytest.approx(0.2131574914, abs=1e-10)


def test_grim_ties_and_exact_arithmetic():
    from collabcomm.errors import ParameterError

    # 849.22 x 40 = 33968.8: T = 33969 gives 849.225 exactly, a tie between .22 and .23
    assert audit.grim(849.22, 2, 40) and audit.grim_tie_only(849.22, 2, 40)
    assert not audit.grim(849.22, 2, 40, ties="half_up")   # half up gives 849.23
    assert audit.grim(849.22, 2, 40, ties="half_even")     # half to even keeps .22
    assert audit.grim(849.23, 2, 40, ties="half_up") and not audit.grim(849.23, 2, 40,
                                                                          ties="half_even")
    # 1/8 = 0.125 is a tie between 0.12 and 0.13: half up gives 0.13, half to even 0.12
    assert audit.grim(0.13, 2, 8, ties="half_up") and not audit.grim(0.13, 2, 8, ties="half_even")
    assert audit.grim(0.12, 2, 8, ties="half_even") and not audit.grim(0.12, 2, 8, ties="half_up")
    # no tie: 834.70 at N = 40 is the exact mean 33388 / 40
    assert audit.grim(834.7, 2, 40) and not audit.grim_tie_only(834.7, 2, 40)
    # the paper's verdicts, and a float boundary decided exactly (0.1 x 3 is not 0.3 in floats)
    assert [audit.grim(m, 2, 26) for m in (849.22, 834.7, 34.25)] == [False, False, False]
    assert audit.grim(0.3, 1, 10) and audit.grim(0.35, 2, 20)
    with pytest.raises(ParameterError, match="ties must be one of"):
        audit.grim(1.5, 1, 4, ties="banker")
    assert audit.grim_possible_text(849.22, 2, [23, 40]) == "23, 40 (only on the tie 849.225)"


def test_readme_quotes_the_generated_grim_finding():
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    table = pd.read_csv(repo / "data" / "derived" / "audit.csv")
    line = audit.grim_readme_text(table)
    assert "API 2012 at N = 18, 23, 27, 32, 36, 37, 40 (only on the tie 849.225)" in line
    readme = (repo / "README.md").read_text()
    assert line in readme, f"README.md's GRIM finding is out of date; replace it with:\n{line}"
