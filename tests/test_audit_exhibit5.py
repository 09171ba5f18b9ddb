"""Exhibit 5 against Exhibits 3 and 4 (collabcomm.audit.exhibit5)."""

from __future__ import annotations

import pytest
from tables import item_table

from collabcomm import audit, models, published, reconstruct
from collabcomm.schema import ITEM_IDS


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


def test_finding_exhibit5_bounds():
    implied = audit.implied_residual_correlations(published.descriptives(),
                                                  published.correlations(), 26)
    assert implied["collaborative"] == pytest.approx(0.408, abs=5e-4)
    assert implied["traditional"] == pytest.approx(-0.522, abs=5e-4)
    out = audit.check_exhibit5(published.descriptives(), published.correlations(),
                               published.regressions(), published.item_results(), 26)
    row = out[(out.check == "exhibit5_vs_exhibit3") & out.quantity.str.startswith("collab")]
    assert row["published"].iloc[0] == "bound 0.237"
