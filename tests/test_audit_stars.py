"""Exhibit 3's stars against the critical r (collabcomm.audit.stars)."""

from __future__ import annotations

import pandas as pd

from collabcomm import audit


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


def test_finding_exhibit3_stars_all_hold(paper_audit):
    assert set(paper_audit[paper_audit.check == "correlation_stars"]["status"]) == {"match"}
