"""Figures of the regressions (collabcomm.figures.regressions)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from figure_helpers import hashes

from collabcomm import figures


def test_plot_of_residuals_does_not_change_with_round_off(tmp_path):
    import numpy as np
    import pandas as pd

    figures.set_theme()
    rng = np.random.default_rng(4)
    partial = pd.DataFrame({"x_resid": rng.normal(0, 10, 26), "y_resid": rng.normal(0, 30, 26)})
    noisy = partial * (1 + 1e-13 * rng.choice([-1, 1], size=partial.shape))
    digests = []
    for k, data in enumerate((partial, noisy)):
        fig = figures.partial_regression_plot(data, 0.5, "Collaborative", 5)
        digests.append(hashes(figures.save(fig, "pr", folder=tmp_path / str(k))))
        plt.close(fig)
    assert digests[0] == digests[1]
