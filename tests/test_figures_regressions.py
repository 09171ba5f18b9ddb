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


def _tidy_fits():
    import pandas as pd

    return pd.DataFrame({"model": [1, 1, 1, 2, 2], "term": ["const", "a", "b", "const", "a"],
                         "coef": [3.0, 0.5, -1.25, 2.0, 0.75], "ci_low": [1.0, 0.25, -2.0, 0.5, 0.5],
                         "ci_high": [5.0, 0.75, -0.5, 3.5, 1.0]})


def test_coefficients_of_a_specification_without_published_values():
    # a specification other than Exhibit 4's: every coefficient but the constant, with its CI
    figures.set_theme()
    fits = _tidy_fits()
    fig = figures.coefficient_plot(None, fits, {"a": "Alpha"}, synthetic=False,
                                   outcome_label="api00")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Model 1: Alpha", "Model 1: b",
                                                           "Model 2: Alpha"]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [float(d.get_xdata()[0]) for d in dots] == [0.5, -1.25, 0.75]
    assert ax.get_xlabel().startswith("coefficient on api00") and len(fig.texts) == 0
    plt.close(fig)
    fig = figures.fitted_coefficient_plot(fits)
    assert len(fig.texts) == 1  # synthetic by default: labelled
    plt.close(fig)


def test_partial_regression_names_its_outcome():
    import pandas as pd

    partial = pd.DataFrame({"x_resid": [-1.0, 0.0, 1.0], "y_resid": [-2.0, 0.5, 1.5]})
    fig = figures.partial_regression_plot(partial, 1.75, "enroll", 1, outcome_label="api00")
    assert fig.axes[0].get_title() == "Partial regression of api00 on enroll"
    assert fig.axes[0].get_ylabel() == "api00 | other regressors of Model 1"
    plt.close(fig)
    fig = figures.partial_regression_plot(partial, 1.75, "Collaborative", 5)
    assert fig.axes[0].get_title() == "Partial regression of API 2012 on Collaborative"
    plt.close(fig)
