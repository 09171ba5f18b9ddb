"""p-values of correlations, critical r and the paper's stars (collabcomm.significance)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from collabcomm import significance as S


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_p_from_r_equals_scipy_pearsonr(seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(26)
    y = 0.3 * x + rng.standard_normal(26)
    r, p = stats.pearsonr(x, y)
    assert S.p_from_r(r, 26) == pytest.approx(p, rel=1e-10)


def test_critical_r_at_26_by_hand():
    # t_.975,24 = 2.063899; r_c = t / sqrt(t^2 + 24) = 0.388200 (hand computation)
    assert S.critical_r(26, 0.05) == pytest.approx(2.063899 / np.sqrt(2.063899**2 + 24), abs=1e-6)
    assert S.critical_r(26, 0.05) == pytest.approx(0.3882, abs=5e-5)
    assert S.p_from_r(S.critical_r(26, 0.05), 26) == pytest.approx(0.05, abs=1e-12)


@pytest.mark.parametrize("p, expected", [
    (0.0, "**"), (0.00999, "**"), (0.01, "*"), (0.0499999, "*"), (0.05, "+"),
    (0.0999, "+"), (0.1, ""), (0.5, ""), (float("nan"), ""),
])
def test_stars_paper_convention_at_the_boundaries(p, expected):
    assert S.stars(p) == expected


def test_legend_is_read_from_published_data():
    assert S.legend(4) == [("**", 0.01), ("*", 0.05), ("+", 0.1)]
    assert S.legend(3) == [("*", 0.05)]


def test_statsmodels_convention_differs():
    """summary_col would print '***' for p < .01; the paper prints '**'."""
    assert S.stars(0.005) == "**" and S.stars(0.03) == "*" and S.stars(0.07) == "+"


def test_star_levels_checks_order():
    from collabcomm.errors import ParameterError

    assert S.star_levels([0.01, 0.05, 0.1]) == S.legend(4)
    with pytest.raises(ParameterError, match="must increase strictly"):
        S.star_levels([0.05, 0.01, 0.1])
    with pytest.raises(ParameterError, match="expected 3 thresholds"):
        S.star_levels([0.05])
