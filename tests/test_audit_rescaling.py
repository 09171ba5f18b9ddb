"""Innocent explanations (b) and (c), tested (collabcomm.audit.rescaling): each holds on planted
tables built to need it, and not on the paper's."""

from __future__ import annotations

import importlib

import pytest

from collabcomm import audit
from collabcomm.models import regressors

ex = importlib.import_module("collabcomm.audit.explanations")
rs = importlib.import_module("collabcomm.audit.rescaling")


def _edit(regs, model, term, value):
    out = regs.copy()
    out.loc[(out.model == model) & (out.term == term), "value"] = value
    return out


def test_rescaling_explains_a_planted_rescaled_scale_and_not_the_papers(consistent, audited_paper):
    _, t = consistent
    desc, corr = t["descriptives"], t["correlations"]
    ranges = audit.exhibit4_ranges(desc, corr, 26, draws=500)
    regs = t["regressions"]
    # Collaborative printed per half point in Exhibit 4: every coefficient doubled
    planted = regs.copy()
    for m in (5, 6):
        v = planted[(planted.model == m) & (planted.term == "collaborative")]["value"].iloc[0]
        planted = _edit(planted, m, "collaborative", round(2 * v, 3))
    tables = {**audit.published_tables(), "descriptives": desc, "correlations": corr,
              "regressions": planted}
    fams = ex.findings(audit.run_checks(tables, 26, ranges=ranges), 26)
    assert "e4_community" in fams
    out = rs.rescaled(fams, desc, corr, planted, 26, ranges)
    assert out["e4_community"][0] == "can explain" and "(overlap)" in out["e4_community"][1]
    # the paper: no scale has one factor for both its models
    ptables, pranges, _, pfams = audited_paper
    out = rs.rescaled(pfams, ptables["descriptives"], ptables["correlations"],
                      ptables["regressions"], 26, pranges)
    assert out["e4_community"][0] == "cannot explain"
    assert out["e4_community"][1].count("(no overlap)") == 4
    for key in ("e4_controls", "e4_r_squared", "e4_stars", "e4_model2_star"):
        assert out[key] == ("cannot explain", out[key][1]) and "change by 0" in out[key][1]


def test_shifts_explain_planted_constants_and_not_the_papers(consistent, audited_paper):
    _, t = consistent
    desc, corr, regs = t["descriptives"], t["correlations"], t["regressions"]
    ranges = audit.exhibit4_ranges(desc, corr, 26, draws=500).set_index(["model", "term"])
    # shift each scale by c_k (in its coefficient's units): constants move by -b_k c_k
    shift = {"bureaucratic": 10.0, "traditional": -20.0, "fragmented": 15.0,
             "collaborative": 5.0}
    planted = regs.copy()
    for m, scale in ((2, "bureaucratic"), (3, "traditional"), (4, "fragmented"),
                     (5, "collaborative")):
        b = ranges.loc[(m, scale), "implied"]
        planted = _edit(planted, m, "const", round(ranges.loc[(m, "const"), "implied"]
                                                   - b * shift[scale], 1))
    c6 = ranges.loc[(6, "const"), "implied"] - sum(ranges.loc[(6, s), "implied"] * c
                                                   for s, c in shift.items())
    planted = _edit(planted, 6, "const", round(c6, 1))
    point, lo, hi = rs.shifted_constant_range(desc, corr, planted, 26)
    assert lo <= round(c6, 1) <= hi and point == pytest.approx(c6, abs=0.3)
    # the paper: Models 2-5's constants predict 420.0 for Model 6, printed 427.3
    ptables = audited_paper[0]
    point, lo, hi = rs.shifted_constant_range(ptables["descriptives"], ptables["correlations"],
                                              ptables["regressions"], 26)
    assert round(point, 1) == 420.0 and hi < 427.25


def test_standardized_explains_planted_betas_and_not_the_papers(consistent, audited_paper):
    _, t = consistent
    desc, corr, regs = t["descriptives"], t["correlations"], t["regressions"]
    ranges = audit.exhibit4_ranges(desc, corr, 26, draws=500)
    sd = desc.pivot(index="variable", columns="statistic", values="value")["sd"]
    planted = regs.copy()
    for r in regs[regs.in_model].itertuples():
        if r.term in regressors(r.model):
            planted = _edit(planted, r.model, r.term,
                            round(r.value * sd[r.term] / sd["api_2012"], 3))
    tables = {**audit.published_tables(), "descriptives": desc, "correlations": corr,
              "regressions": planted}
    fams = ex.findings(audit.run_checks(tables, 26, ranges=ranges), 26)
    out = rs.standardized(fams, desc, corr, planted, 26, ranges)
    assert out["e4_controls"][0] == "can explain"
    assert "fully standardized (b s_x / s_y): 18 of 18 slopes match" in out["e4_controls"][1]
    ptables, pranges, _, pfams = audited_paper
    out = rs.standardized(pfams, ptables["descriptives"], ptables["correlations"],
                          ptables["regressions"], 26, pranges)
    assert out["e4_community"][1].count(": 0 of 8 slopes match") == 3
    assert out["e4_constants"][0] == "cannot explain"
