"""The reconstruction beside Exhibits 2 and 3 (collabcomm.audit.compare)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from collabcomm import audit, published, reconstruct


def test_compare_descriptives_on_the_reconstruction_all_match():
    d = reconstruct.schools(5)
    table = audit.compare_descriptives(d)
    assert len(table) == 32 and table["match"].all()


def test_compare_descriptives_catches_a_planted_difference():
    d = reconstruct.schools(5)
    d.loc[0, "fragmented"] += 0.5   # moves the mean of Fragmented by 0.019
    table = audit.compare_descriptives(d).set_index(["variable", "statistic"])
    assert not table.loc[("fragmented", "mean"), "match"]
    assert table.drop(index="fragmented", level=0)["match"].all()


def test_compare_correlations_values_and_stars():
    d = reconstruct.schools(5)
    table = audit.compare_correlations(d)
    assert len(table) == 28
    assert table["value_match"].all() and table["stars_match"].all()
    # the borderline published star: Traditional-Bureaucratic -0.3997* (critical r .3882)
    row = table[(table.row == "traditional") & (table.col == "bureaucratic")].iloc[0]
    assert row["reproduced_stars"] == "*" and 0.04 < row["p"] < 0.05


def test_compare_correlations_flags_a_star_that_the_values_do_not_support():
    x = np.random.default_rng(0).standard_normal((26, 8))
    cols = list(published.correlation_matrix().columns)
    d = pd.DataFrame(x, columns=cols)
    table = audit.compare_correlations(d)
    starred = table[table.published_stars == "*"]
    assert not starred["stars_match"].all()  # independent noise cannot support r = .98
