"""GRIM, with ties and exact arithmetic (collabcomm.audit.grim): planted tables and the paper's."""

from __future__ import annotations

import pandas as pd
import pytest
from tables import statuses

from collabcomm import audit


def test_grim_by_hand():
    assert not audit.grim(849.22, 2, 26) and audit.grim(849.23, 2, 26)
    assert audit.grim(34.25, 2, 28) and not audit.grim(34.25, 2, 26)
    assert audit.grim(3.0, 0, 7)


def test_grim_consistent_table_passes_and_planted_mean_is_caught(consistent):
    _, t = consistent
    assert statuses(audit.check_grim(t["descriptives"], t["n"])) == {"match": 9}
    bad = t["descriptives"].copy()
    i = bad.index[(bad.variable == "api_2011") & (bad.statistic == "mean")][0]
    bad.loc[i, "value"] = round(bad.loc[i, "value"] + 0.01, 2)  # off the 1/26 grid
    out = audit.check_grim(bad, t["n"])
    assert list(out[out.status == "inconsistent"]["quantity"]) == ["mean of api_2011 at N = 26"]


def test_finding_grim(paper_audit):
    g = paper_audit[(paper_audit.check == "grim") & paper_audit.quantity.str.startswith("mean")]
    assert dict(zip(g.quantity, g.status, strict=True)) == {
        "mean of api_2012 at N = 26": "inconsistent", "mean of api_2011 at N = 26": "inconsistent",
        "mean of school_size at N = 26": "inconsistent"}


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
