"""Figures of the instrument and the school data (collabcomm.figures.schools)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from collabcomm import figures, reconstruct


def test_heatmap_difference_panel_shows_rounding_units_not_noise():
    import numpy as np
    import pandas as pd

    figures.set_theme()
    t = reconstruct.published_target()
    noisy = t.corr + 3e-16 * np.sign(np.random.default_rng(0).normal(size=t.corr.shape))
    off = t.corr.copy()
    off.iloc[3, 1] += 0.0025  # half a rounding half-unit of Exhibit 3 (0.005)
    off.iloc[1, 3] += 0.0025
    for reproduced, note, cell in [(noisy, "every cell agrees within 1e-09", "0.00"),
                                   (off, "some cells differ by more than round-off", "0.50")]:
        fig = figures.correlation_heatmaps(t.corr, pd.DataFrame(reproduced), {})
        right = fig.axes[1]
        texts = [x.get_text() for x in right.texts]
        assert note in texts
        annotations = [x for x in texts if x not in (note,)]
        assert cell in annotations and "-0.00" not in annotations
        assert set(annotations) <= {"0.00", cell}
        assert right.collections[0].get_clim() == (-1.0, 1.0)
        plt.close(fig)
