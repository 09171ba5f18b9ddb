"""Exhibit 4 from the moments and its internal F-tests (collabcomm.audit.exhibit4)."""

from __future__ import annotations

import pytest

from collabcomm import audit, published


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
