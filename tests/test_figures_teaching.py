"""Figures of the classroom simulations (collabcomm.figures.teaching)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from collabcomm import figures


def test_teaching_figures_draw_their_inputs():
    grid = pd.DataFrame({"n_schools": [10, 26, 10, 26], "alpha": [0.6, 0.6, 0.9, 0.9],
                         "power_0.05": [0.1, 0.3, 0.2, 0.5]})
    table = pd.DataFrame({"reliability": [0.5, 1.0], "mean_estimate": [5.0, 10.0],
                          "expected": [5.0, 10.0], "true_effect": [10.0, 10.0]})
    rng = np.random.default_rng(0)
    sim = {"estimate": rng.normal(10, 5, 500), "p": rng.uniform(0, 1, 500), "true_effect": 10.0}
    for fig, lines in ((figures.power_curve(grid), 2), (figures.attenuation_plot(table), 1),
                       (figures.estimate_distribution(sim), 0)):
        assert len(fig.axes[0].get_lines()) >= lines
        plt.close(fig)


def test_teaching_figures_name_the_simulated_term():
    grid = pd.DataFrame({"n_schools": [10, 26], "alpha": [0.6, 0.6], "power_0.05": [0.1, 0.3]})
    table = pd.DataFrame({"reliability": [0.5, 1.0], "mean_estimate": [5.0, 10.0],
                          "expected": [5.0, 10.0], "true_effect": [10.0, 10.0]})
    sim = {"estimate": np.linspace(-1, 1, 50), "p": np.linspace(0, 1, 50), "true_effect": 0.1}
    # the defaults are Exhibit 4's Model 5 (the committed figures' words)
    assert (figures.power_curve(grid).axes[0].get_title()
            == "Power to detect the Collaborative effect (Model 5)")
    assert (figures.attenuation_plot(table).axes[0].get_xlabel()
            == "school-level reliability of Collaborative")
    assert (figures.estimate_distribution(sim).axes[0].get_xlabel()
            == "estimated Collaborative slope (API points per scale point)")
    assert (figures.power_curve(grid, term_label="meals", model=1).axes[0].get_title()
            == "Power to detect the meals effect (Model 1)")
    assert (figures.attenuation_plot(table, term_label="meals").axes[0].get_xlabel()
            == "school-level reliability of meals")
    assert (figures.estimate_distribution(sim, term_label="meals", slope_unit="api00 per unit "
                                          "of meals").axes[0].get_xlabel()
            == "estimated meals slope (api00 per unit of meals)")
    plt.close("all")
