"""The teacher-level responses (collabcomm.reconstruct.teacher_level)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from collabcomm import reconstruct as R
from collabcomm.errors import CollabcommError

SEEDS = [1, 7, 42, 2012, 99991]


@pytest.fixture(scope="module")
def target():
    return R.published_target()


@pytest.mark.parametrize("seed", [1, 2012, 31337])
def test_teacher_generator_guarantees(seed, target):
    schools_data = R.schools(seed)
    tr = R.reconstruct_teachers(schools_data, seed)
    d = tr.data
    items = [c for c in d.columns if c not in ("teacher_id", "school_id")]
    assert len(items) == 20 and d["teacher_id"].is_unique
    assert d[items].isin([1, 2, 3, 4, 5]).all().all()
    sizes = d.groupby("school_id").size().loc[schools_data["school_id"]]
    expected = np.floor(0.69 * schools_data["school_size"].to_numpy() + 0.5)
    assert (sizes.to_numpy() == expected).all()
    rep = tr.report
    assert rep["ok"].all(), rep[~rep["ok"]]
    alphas = rep[rep.check == "alpha"].set_index("target_of")["achieved"]
    for scale, a in published_alphas().items():
        assert abs(alphas[scale] - a) <= 0.02
    assert (rep[rep.check == "school_correlation"]["achieved"] >= 0.99).all()
    assert (rep[rep.check == "school_mean_abs_diff"]["achieved"] <= 1.0).all()
    assert (rep.check == "item_sign").sum() == 20


def published_alphas():
    from collabcomm import published

    return published.alphas().to_dict()


def test_teacher_generator_is_deterministic():
    a = R.teachers(seed=5)
    b = R.teachers(seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(R.teachers(seed=6))


def test_controlled_round_hits_the_sum_and_keeps_order():
    y = np.array([0.2, 1.4, 2.6, 3.5, 4.9, 5.6])
    x = R.controlled_round(y, 20)
    assert x.sum() == 20 and x.min() >= 1 and x.max() <= 5
    assert (np.diff(x) >= 0).all()
    with pytest.raises(CollabcommError, match="impossible"):
        R.controlled_round(y, 40)


def test_teacher_generator_refuses_bad_response_rate():
    with pytest.raises(CollabcommError, match="response_rate"):
        R.reconstruct_teachers(R.schools(1), 1, response_rate=0)


def test_the_report_in_words():
    report = R.reconstruct_teachers(R.schools(2012), 2012).report
    shown = R.report_in_words(report)
    assert list(shown.columns) == ["check", "target_of", "target", "achieved", "tolerance", "met"]
    assert set(shown["check"]) == set(R.REPORT_CHECKS.values())
    assert shown["target_of"].tolist()[:4] == ["traditional", "bureaucratic", "collaborative",
                                               "fragmented"]
    assert "collaborative: policies" in shown["target_of"].tolist()
    assert not shown["target_of"].str.contains("_").any()
    assert shown["met"].tolist() == report["ok"].tolist()
    pd.testing.assert_frame_equal(shown[["target", "achieved", "tolerance"]],
                                  report[["target", "achieved", "tolerance"]])
    with pytest.raises(ValueError, match="'new_check' has no words"):
        R.report_in_words(report.assign(check="new_check"))
