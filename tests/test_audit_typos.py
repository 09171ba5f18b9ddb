"""Single typos, tested (collabcomm.audit.typos): the edits of a printed number, a planted typo
found and undone end to end, and the paper's best edits."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest

from collabcomm import audit

ty = importlib.import_module("collabcomm.audit.typos")
ex = importlib.import_module("collabcomm.audit.explanations")


def test_single_edits_by_hand():
    edits = dict(ty.single_edits("0.96"))
    # digits: 9 + 9 + 9 (the leading 0 may become 1-9: one whole digit); transpositions 0.69
    # and, across the decimal point, 9.06; the sign
    assert len(edits) == 30 and edits["-0.96"] == "sign"
    assert edits["0.69"] == edits["9.06"] == "transposition"
    assert edits["0.97"] == edits["1.96"] == "digit"
    edits = dict(ty.single_edits("849.22"))
    assert "049.22" not in edits and "849.22" not in edits          # no leading zero, no no-op
    assert edits["894.22"] == edits["849.22".replace("9.2", "2.9")] == "transposition"
    assert sum(k == "digit" for k in edits.values()) == 8 + 4 * 9    # first digit: 1-9 but 8
    assert dict(ty.single_edits("0"))  and "-0" not in dict(ty.single_edits("0"))
    assert [t for t, k in ty.single_edits("-0.2875") if k == "sign"] == ["0.2875"]


def test_apply_edit_changes_one_cell():
    tables = audit.published_tables()
    out = ty.apply_edit(tables, "3", "api_2012", "api_2011", "0.9738")
    c = out["correlations"]
    assert c[(c.row == "api_2012") & (c.col == "api_2011")]["value"].iloc[0] == 0.9738
    assert (c["value"] != tables["correlations"]["value"]).sum() == 1
    original = tables["correlations"]                                  # left untouched
    assert original[(original.row == "api_2012") & (original.col == "api_2011")]["value"].iloc[
        0] == 0.9783
    out = ty.apply_edit(tables, "4", "r_squared", 1, "0.97")
    assert out["regressions"].query("model == 1 and term == 'r_squared'")["value"].iloc[0] == .97
    with pytest.raises(KeyError, match="no single cell"):
        ty.apply_edit(tables, "2", "api_2012", "median", "1")


def test_a_planted_typo_is_found_and_undone(consistent):
    # consistent tables with one digit of r(api_2012, collaborative) changed: the screen ranks
    # the edit that restores it first, and confirming it clears every finding it caused
    _, t = consistent
    tables = {**audit.published_tables(), "descriptives": t["descriptives"],
              "correlations": t["correlations"], "regressions": t["regressions"]}
    corr = t["correlations"]
    cell = corr[(corr.row == "collaborative") & (corr.col == "api_2012")].iloc[0]
    printed = f"{cell.value:.4f}"
    wrong = printed[:3] + str((int(printed[3]) + 3) % 10) + printed[4:]
    bad = ty.apply_edit(tables, "3", "collaborative", "api_2012", wrong)
    ranges = audit.exhibit4_ranges(bad["descriptives"], bad["correlations"], 26, draws=500)
    rows = audit.run_checks(bad, 26, draws=500, ranges=ranges)
    fams = ex.findings(rows, 26)
    assert fams, "the planted typo must make some finding"
    screened = ty.screen_edits(bad, 26, ranges)
    best = screened.sort_values("screened").iloc[0]
    assert (best.exhibit, best.row, best.col, best.edited) == ("3", "collaborative", "api_2012",
                                                               printed)
    candidates = ty.typo_candidates(screened, fams)
    confirmed = ty.confirm_edits(bad, 26, candidates, fams, draws=500, ranges=ranges)
    top = confirmed.iloc[0]
    # restoring the printed value gives back exactly the consistent tables' own audit (where
    # the text's claims, written for the paper, do not all hold: the typo happened to make
    # one of them hold, so restoring "breaks" it)
    good = audit.run_checks(tables, 26, draws=500)
    assert top.edited == printed and top.inconsistent == (good.status == "inconsistent").sum()
    assert top.fixed > 10 and top.broken == 1
    assert set(top.findings.split()) == set(fams)
    verdicts = ty.typo_verdicts(confirmed, fams, screened)
    assert {v for v, _ in verdicts.values()} == {"can explain"}


def test_the_papers_single_typos():
    tables = audit.published_tables()
    ranges = audit.exhibit4_ranges(tables["descriptives"], tables["correlations"], 26)
    rows = audit.run_checks(tables, 26, ranges=ranges)
    fams = ex.findings(rows, 26)
    screened = ty.screen_edits(tables, 26, ranges)
    # the screen at the printed values: no edit clears any of Exhibit 4's families against
    # Exhibits 2-3; the fewest rows each can be left with
    assert screened[["e4_community", "e4_controls", "e4_constants", "e4_r_squared",
                     "e4_stars"]].min().tolist() == [6, 14, 3, 3, 4]
    confirmed = ty.confirm_edits(tables, 26, ty.typo_candidates(screened, fams), fams,
                                 ranges=ranges)
    top = confirmed[confirmed.exhibit.isin(["2", "3"])].iloc[0]
    assert (top.row, top.col, top.printed, top.edited) == ("sed_pct", "traditional", "0.0942",
                                                           "0.0442")
    assert (top.fixed, top.broken, top.resolved, top.findings) == (4, 1, 3, "")
    # Model 1's R-squared printed .96 for .97: the R-squared test of Model 2 then holds and
    # Model 1's R-squared matches Exhibits 2-3 (.9731); nothing else breaks
    r2 = confirmed[(confirmed.exhibit == "4") & (confirmed.row == "r_squared")].iloc[0]
    assert (r2.col, r2.printed, r2.edited, r2.fixed, r2.broken) == (1, "0.96", "0.97", 2, 0)
    assert r2.findings == "e4_model2_star"
    verdicts = ty.typo_verdicts(confirmed, fams, screened)
    assert verdicts["grim_api_2012"][0] == "can explain"
    assert "849.22 -> 849.12" in verdicts["grim_api_2012"][1]
    assert verdicts["e4_controls"] == ("cannot explain", verdicts["e4_controls"][1])
    assert "the best leaves 14 of them" in verdicts["e4_controls"][1]


def test_confirm_edits_takes_the_audits_own_rows_as_its_base():
    tables = audit.published_tables()
    ranges = audit.exhibit4_ranges(tables["descriptives"], tables["correlations"], 26, draws=500)
    rows = audit.run_checks(tables, 26, draws=500, ranges=ranges)
    fams = ex.findings(rows, 26)
    one = pd.DataFrame([{"exhibit": "4", "row": "r_squared", "col": 1, "printed": "0.96",
                         "edited": "0.97", "kind": "digit"}])
    plain = ty.confirm_edits(tables, 26, one, fams, draws=500, ranges=ranges)
    pd.testing.assert_frame_equal(
        ty.confirm_edits(tables, 26, one, fams, draws=500, ranges=ranges, base=rows), plain)
    planted = pd.concat([rows, rows.iloc[[0]].assign(check="planted", status="inconsistent")])
    marked = ty.confirm_edits(tables, 26, one, fams, draws=500, ranges=ranges, base=planted)
    assert (marked.fixed.iloc[0], plain.fixed.iloc[0]) == (3, 2)  # the planted row is "fixed"
