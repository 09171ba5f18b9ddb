"""Innocent explanations, tested (collabcomm.audit.explanations): the findings, each explanation
on planted tables where it holds and on the paper's, and the table."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pandas as pd
import pytest

from collabcomm import audit, published
from collabcomm.models import regressors
from collabcomm.moments import ols_from_moments

ex = importlib.import_module("collabcomm.audit.explanations")


def _family_bad(fams):
    return {k: (ex._bad(f), len(f)) for k, (_, f) in fams.items()}


def test_the_papers_findings(audited_paper):
    *_, fams = audited_paper
    assert _family_bad(fams) == {
        "grim_api_2012": (1, 1), "grim_api_2011": (1, 1), "grim_school_size": (1, 1),
        "e4_community": (7, 8), "e4_controls": (16, 18), "e4_constants": (5, 5),
        "e4_r_squared": (5, 6), "e4_stars": (7, 26), "e4_model2_star": (1, 4)}


def test_t_grows_with_the_square_root_of_the_degrees_of_freedom():
    # the closed form at two N: every slope's t differs by sqrt(df1 / df0) exactly
    corr = published.correlation_matrix()
    d = published.descriptives(wide=True)
    xs = regressors(6)
    a = ols_from_moments(corr, d["sd"], d["mean"], 26, "api_2012", xs)
    b = ols_from_moments(corr, d["sd"], d["mean"], 40, "api_2012", xs)
    np.testing.assert_allclose(b.t[xs] / a.t[xs], math.sqrt((40 - 8) / (26 - 8)), rtol=1e-12)
    np.testing.assert_allclose(b.coef, a.coef, rtol=0, atol=0)


def test_star_scan_reproduces_the_audit_at_its_own_n(audited_paper):
    tables, ranges, rows, _ = audited_paper
    scan = ex.star_scan(ranges, tables["regressions"], 26, [20, 26, 37])
    at26 = scan[scan.n == 26].iloc[0]
    stars = rows[(rows.check == "exhibit4_stars_from_moments") & (rows.status == "inconsistent")]
    assert set(at26.cells.split()) == {f"{m}:{t}" for t, m in zip(stars.cell_row, stars.cell_col,
                                                                   strict=True)}
    for r in scan.itertuples():  # the R-squared test: the audit's own function at that N
        internal = audit.check_exhibit4_internal(tables["regressions"], r.n)
        assert r.internal == (internal.status == "inconsistent").sum()
    assert list(scan.inconsistent) == [12, 7, 4]


def test_different_n_on_the_paper(audited_paper):
    tables, ranges, _, fams = audited_paper
    pn = audit.possible_n_table(tables["descriptives"], 26)
    out = ex.different_n(fams, tables["descriptives"], tables["correlations"],
                         tables["regressions"], 26, ranges, pn)
    assert out["grim_api_2011"][0] == "can explain"
    assert "N = 20, 23, 27, 30, 33, 37, 40" in out["grim_api_2011"][1]
    assert "one N for all three integer variables: 40 of 16-40" in out["grim_api_2011"][1]
    for key in ("e4_community", "e4_controls", "e4_constants", "e4_r_squared"):
        assert out[key][0] == "cannot explain" and "differ by 0," in out[key][1]
    assert out["e4_stars"][0] == "cannot explain"
    assert "fewest inconsistent (4 of 26) at N = 37-38" in out["e4_stars"][1]
    assert out["e4_model2_star"][0] == "can explain"
    assert "consistent at N = 16-19" in out["e4_model2_star"][1]


def test_the_table_and_its_wide_form(audited_paper):
    *_, fams = audited_paper
    results = {"stages": ex.stages(fams),
               "rescaled": {"e4_r_squared": ("cannot explain", "invariant")}}
    table = ex.explanations_table(fams, results)
    assert len(table) == len(fams) * len(ex.EXPLANATIONS)
    assert set(table[table.explanation == "stages"]["verdict"]) == {"not testable"}
    wide = ex.explanations_wide(table)
    assert list(wide.columns) == list(ex.EXPLANATIONS.values())
    assert wide.loc["e4_r_squared", "(b) rescaled community variables"] == "cannot explain"
    with pytest.raises(ValueError, match="unknown verdict"):
        ex.explanations_table(fams, {"stages": {"e4_stars": ("maybe", "")}})


def test_the_papers_explanations_end_to_end(audited_paper):
    tables, ranges, rows, _ = audited_paper
    pn = audit.possible_n_table(tables["descriptives"], 26)
    table, confirmed = ex.innocent_explanations(tables, 26, audit_rows=rows, ranges=ranges,
                                                possible_n=pn)
    wide = ex.explanations_wide(table)
    can = {k: [e for e, v in row.items() if v == "can explain"] for k, row in wide.iterrows()}
    a, d = "(a) a different N behind a table", "(d) a single typo in one published cell"
    assert can == {"grim_api_2012": [a, d], "grim_api_2011": [a, d], "grim_school_size": [a, d],
                   "e4_community": [], "e4_controls": [], "e4_constants": [],
                   "e4_r_squared": [], "e4_stars": [], "e4_model2_star": [a, d]}
    assert isinstance(confirmed, pd.DataFrame) and confirmed["resolved"].iloc[0] == 3


def test_readme_states_the_committed_results():
    # the README's findings at a glance quote these numbers; they must be those of the
    # committed outputs (data/derived, written by notebook 06)
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    readme = (repo / "README.md").read_text()
    changes = pd.read_csv(repo / "data" / "derived" / "reconciliation_changes.csv")
    low, high = changes["rounding_units"].min(), changes["rounding_units"].max()
    assert f"moves every correlation {low:.0f} to {high:,.0f} times past its rounding" in readme
    typos = pd.read_csv(repo / "data" / "derived" / "audit_typos.csv")
    best = typos.iloc[0]
    total = (pd.read_csv(repo / "data" / "derived" / "audit.csv")["status"]
             == "inconsistent").sum()
    assert (f"(the best fixes {best.fixed} of\n  the {total} inconsistent rows and breaks "
            f"{best.broken})") in readme
    summary = pd.read_csv(repo / "data" / "derived" / "audit_possible_n.csv")
    common = set(range(16, 41))
    for _, t in summary[summary.sprite == "found"].groupby("variable"):
        common &= set(t["n"])
    assert common == {40} and "only N = 40 serves all three" in readme.replace("\n  ", " ")


def test_the_committed_explanations_in_words():
    """Tables 6.19 and 6.20 of notebook 06, from the committed audit_explanations.csv."""
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    table = pd.read_csv(repo / "data" / "derived" / "audit_explanations.csv")
    wide = ex.explanations_wide(table, words=True)
    assert wide.index.name == "finding"
    assert wide.index.tolist()[:3] == ["GRIM: the mean of API 2012 at N = 26",
                                       "GRIM: the mean of API 2011 at N = 26",
                                       "GRIM: the mean of School Size at N = 26"]
    assert wide.index[-1] == "Model 2's star against its R-squared gain (Exhibit 4 alone)"
    # the same verdicts as under the keys, row for row
    assert (wide.to_numpy() == ex.explanations_wide(table).to_numpy()).all()
    shown = ex.verdicts_in_words(table)
    assert list(shown.columns) == ["finding", "explanation", "verdict", "computation"]
    assert len(shown) == 9 * 4  # nine findings, every explanation but (e), which is not testable
    assert set(shown["explanation"]) == {"a different N behind a table",
                                         "rescaled community variables",
                                         "standardized coefficients",
                                         "a single typo in one published cell"}
    first = shown.iloc[1]
    assert (first["finding"], first["explanation"], first["verdict"]) == (
        "GRIM: the mean of API 2012 at N = 26", "rescaled community variables", "cannot explain")
    assert first["computation"].startswith("API 2012 is not a community variable")
    assert not shown["computation"].str.contains(r"\b(?:api_2012|api_2011|sed_pct|school_size)\b").any()
    assert len(ex.verdicts_in_words(table, skip=())) == 9 * 5


def test_findings_and_the_star_scan_in_words():
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    table = pd.read_csv(repo / "data" / "derived" / "audit_explanations.csv")
    words = ex.finding_words(table)
    assert words[""] == ""
    assert words["grim_school_size"] == "GRIM: the mean of School Size at N = 26"
    assert set(words) == {"", *table["finding"]}
    # Table 6.22's findings column: every code of the committed audit_typos.csv has words
    typos = pd.read_csv(repo / "data" / "derived" / "audit_typos.csv", keep_default_na=False)
    assert set(typos["findings"]) <= set(words)
    scan = pd.DataFrame({"n": [16, 30], "inconsistent": [3, 0],
                         "cells": ["1:sed_pct 2:bureaucratic 6:r_squared", ""], "internal": [0, 1]})
    shown = ex.star_scan_in_words(scan)
    assert shown["cells"].tolist() == ["Model 1: % SED; Model 2: bureaucratic; Model 6: R²", ""]
    pd.testing.assert_frame_equal(shown.drop(columns="cells"), scan.drop(columns="cells"))
