"""Figures of the theory (collabcomm.figures.theory), drawn from data/theory."""

from __future__ import annotations

import matplotlib.pyplot as plt

from collabcomm import figures, typology


def test_theory_figures_draw_from_the_theory_tables():
    theory = typology.load_theory()
    for draw in (figures.typology_diagram, figures.figure1_diagram, figures.figure2_table):
        fig = draw(theory)
        assert fig.axes and fig.axes[0].get_title()
        plt.close(fig)
