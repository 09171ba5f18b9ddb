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


def _tables(cb_name, survey_name):
    from pathlib import Path

    from collabcomm import codebook, instrument, survey

    examples = Path(__file__).resolve().parents[1] / "data" / "examples"
    cb = codebook.load_codebook(examples / cb_name)
    responses = instrument.read_survey(examples / survey_name, cb)
    return cb, responses, survey.analyse(responses, cb)


def test_instrument_figures_follow_a_codebook():
    figures.set_theme()
    cb, responses, tables = _tables("lq2002_codebook.yaml", "lq2002_items.csv")
    fig = figures.reliability_plot(tables["reliability"], synthetic=False)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["LEAD", "TSIG", "HOSTIL"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["this survey (Feldt 95% CI)"]
    plt.close(fig)
    fig = figures.school_profiles(tables["schools"], cb.scales, synthetic=False, unit=cb.unit,
                                  units="units")
    assert fig.axes[0].get_title() == "Unit profiles (49 units)"
    assert fig.axes[0].get_xlabel().startswith("unit mean score")
    plt.close(fig)
    blocks = [len(cb.scale_items(s)) for s in cb.scales]
    fig = figures.interitem_heatmap(responses, cb.item_ids, synthetic=False, blocks=blocks)
    ax = fig.axes[0]
    assert sorted(line.get_ydata()[0] for line in ax.lines if line.get_ydata()[0] ==
                  line.get_ydata()[-1]) == [11, 14]  # LEAD 11 | TSIG 3 | HOSTIL 5
    plt.close(fig)


def test_instrument_figures_of_exhibit1_keep_their_layout():
    from collabcomm import instrument, survey
    from collabcomm.paths import project

    figures.set_theme()
    responses = instrument.read_survey(project().root / "data" / "examples" / "example_survey.csv")
    tables = survey.analyse(responses, min_respondents=3)
    fig = figures.reliability_plot(tables["reliability"])
    assert tuple(fig.get_size_inches()) == (7.0, 3.8)
    assert "published (Exhibit 3)" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][2] == "Collaborative"
    plt.close(fig)
    fig = figures.interitem_heatmap(responses, list(responses.columns[2:]))
    assert fig.axes[0].get_title() == "Inter-item correlations (teachers)"
    assert sorted(line.get_ydata()[0] for line in fig.axes[0].lines
                  if line.get_ydata()[0] == line.get_ydata()[-1]) == [5, 10, 15]
    plt.close(fig)


def test_pairplot_draws_the_lower_triangle_of_the_data():
    import numpy as np
    import pandas as pd

    figures.set_theme()
    rng = np.random.default_rng(5)
    data = pd.DataFrame(rng.normal(size=(26, 3)).round(2), columns=["a", "b", "c"])
    fig = figures.synthetic_pairplot(data, ["a", "b", "c"], {"a": "A", "c": "C"})
    axes = fig.axes
    assert len(axes) == 6  # rows 0..2 hold 1, 2, 3 panels: no hidden upper triangle
    spec = [(ax.get_subplotspec().rowspan.start, ax.get_subplotspec().colspan.start)
            for ax in axes]
    assert spec == [(0, 0), (1, 0), (1, 1), (2, 0), (2, 1), (2, 2)]
    for ax, (i, j) in zip(axes, spec, strict=True):
        x, y = ["a", "b", "c"][j], ["a", "b", "c"][i]
        if i == j:  # a histogram of the variable, every school counted once
            heights = [p.get_height() for p in ax.patches]
            edges = np.histogram_bin_edges(data[x], bins="auto")
            assert heights == np.histogram(data[x], bins=edges)[0].tolist()
            assert not ax.yaxis.get_tick_params()["labelleft"]
        else:  # x against y, school by school
            points = ax.collections[0].get_offsets()
            assert np.array_equal(points, data[[x, y]].to_numpy())
            assert ax.get_shared_x_axes().joined(ax, axes[spec.index((j, j))])  # column: one x
        assert ax.xaxis.get_tick_params()["labelbottom"] == (i == 2)
    assert axes[3].get_shared_y_axes().joined(axes[3], axes[4])  # a row shares y
    assert not axes[4].get_shared_y_axes().joined(axes[4], axes[5])  # not with the histogram
    assert [ax.get_xlabel() for ax in axes[3:]] == ["A", "b", "C"]
    assert [axes[1].get_ylabel(), axes[3].get_ylabel()] == ["b", "C"]
    assert fig._suptitle.get_text() == "Reconstructed school data (SYNTHETIC, N = 26)"
    assert figures.SYNTHETIC_NOTE in [t.get_text() for t in fig.texts]
    plt.close(fig)
