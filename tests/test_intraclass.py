"""Intraclass correlations (collabcomm.intraclass): a hand computation, scipy's one-way ANOVA
and R's multilevel::ICC1/ICC2 on Bliese's data (tests/reference/multilevel_icc.R wrote the
pinned values)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from collabcomm.errors import CollabcommError
from collabcomm.intraclass import icc

REF = Path(__file__).parent / "reference"


def test_icc_by_hand_and_against_anova():
    # groups A: 1,2,3 (mean 2); B: 4,5,6,7 (mean 5.5); grand mean 4
    v = [1, 2, 3, 4, 5, 6, 7]
    g = ["A"] * 3 + ["B"] * 4
    ssb = 3 * (2 - 4) ** 2 + 4 * (5.5 - 4) ** 2       # 21
    ssw = (1 + 0 + 1) + (2.25 + 0.25 + 0.25 + 2.25)   # 7
    msb, msw = ssb / 1, ssw / 5
    for group_size, k in (("mean", 7 / 2), ("adjusted", (7 - (9 + 16) / 7) / 1)):
        res = icc(v, g, group_size=group_size)
        assert res["msb"] == pytest.approx(msb) and res["msw"] == pytest.approx(msw)
        assert res["k"] == pytest.approx(k)
        assert res["icc1"] == pytest.approx((msb - msw) / (msb + (k - 1) * msw))
        assert res["icc2"] == pytest.approx((msb - msw) / msb)
    assert icc(v, g)["icc1"] == pytest.approx((21 - 1.4) / (21 + 2.5 * 1.4))  # default: N/J
    f, _ = stats.f_oneway([1, 2, 3], [4, 5, 6, 7])
    assert msb / msw == pytest.approx(f)
    with pytest.raises(CollabcommError, match="group_size must be one of"):
        icc(v, g, group_size="harmonic")


@pytest.fixture(scope="module")
def multilevel_icc():
    return pd.read_csv(REF / "multilevel_icc.csv")


@pytest.mark.parametrize("dataset", ["bh1996", "lq2002"])
def test_icc_equals_r_multilevel(dataset, multilevel_icc):
    # Bliese's multilevel::ICC1 / ICC2 on its own real data (tests/reference/multilevel_icc.R)
    d = pd.read_csv(REF / f"multilevel_{dataset}.csv")
    ref = multilevel_icc[multilevel_icc.dataset == dataset]
    assert len(ref) >= 3
    for r in ref.itertuples():
        mean = icc(d[r.variable], d["group"])
        adjusted = icc(d[r.variable], d["group"], group_size="adjusted")
        assert (mean["groups"], mean["n"]) == (r.groups, r.n)
        assert mean["icc1"] == pytest.approx(r.icc1_mean, rel=1e-10, abs=1e-13)
        assert mean["icc2"] == pytest.approx(r.icc2, rel=1e-10, abs=1e-13)
        assert adjusted["icc1"] == pytest.approx(r.icc1_adjusted, rel=1e-10, abs=1e-13)
        assert adjusted["icc2"] == mean["icc2"]
    wbeing = ref[ref.variable == "WBEING"]
    if len(wbeing):  # the value printed in the multilevel package's manual and tutorial
        assert round(icc(d["WBEING"], d["group"])["icc1"], 5) == 0.04337
        assert round(icc(d["WBEING"], d["group"])["icc1"], 4) == 0.0434  # Bliese (2000)
