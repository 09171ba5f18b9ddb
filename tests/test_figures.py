"""Figures as a whole (collabcomm.figures): every name offered by the package, and the synthetic
label on every figure of the reconstruction. Each module has its own test file,
tests/test_figures_<module>.py."""

from __future__ import annotations

import matplotlib.pyplot as plt
from figure_helpers import draw_heatmaps

from collabcomm import figures, reconstruct


def test_every_public_name_is_importable_from_the_package():
    assert [n for n in figures.__all__ if not hasattr(figures, n)] == []


def test_synthetic_label_on_every_reconstruction_figure(tmp_path):
    d = reconstruct.schools(2)
    t = reconstruct.published_target()
    for fig in (draw_heatmaps(), figures.synthetic_pairplot(d, t.variables),
                figures.same_statistics_scatter({1: d, 2: reconstruct.schools(3)},
                                                "collaborative", "api_2012")):
        texts = [t.get_text() for t in fig.texts]
        assert figures.SYNTHETIC_NOTE in texts
        plt.close(fig)
