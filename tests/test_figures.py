"""Figures are written as PNG and SVG with deterministic bytes (collabcomm.figures)."""

from __future__ import annotations

import hashlib

import matplotlib.pyplot as plt

from collabcomm import figures, published, reconstruct


def _hashes(paths):
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


def _draw():
    figures.set_theme()
    d = reconstruct.schools(1)
    t = reconstruct.published_target()
    return figures.correlation_heatmaps(t.corr, d[t.variables].corr(), published.variable_labels())


def test_save_writes_png_and_svg_identically_twice(tmp_path):
    fig = _draw()
    first = figures.save(fig, "heat", folder=tmp_path)
    h1 = _hashes(first)
    plt.close(fig)
    fig = _draw()
    second = figures.save(fig, "heat", folder=tmp_path / "again")
    plt.close(fig)
    assert [p.name for p in first] == ["heat.png", "heat.svg"]
    assert h1 == _hashes(second)


def test_no_version_or_date_in_metadata(tmp_path):
    fig = _draw()
    png, svg = figures.save(fig, "meta", folder=tmp_path)
    plt.close(fig)
    assert b"Matplotlib" not in png.read_bytes()
    text = svg.read_text()
    assert "<dc:date>" not in text and "Matplotlib v" not in text


def test_synthetic_label_on_every_reconstruction_figure(tmp_path):
    d = reconstruct.schools(2)
    t = reconstruct.published_target()
    for fig in (_draw(), figures.synthetic_pairplot(d, t.variables),
                figures.same_statistics_scatter({1: d, 2: reconstruct.schools(3)},
                                                "collaborative", "api_2012")):
        texts = [t.get_text() for t in fig.texts]
        assert figures.SYNTHETIC_NOTE in texts
        plt.close(fig)


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


def test_svg_ids_do_not_carry_float_noise():
    assert figures.stable_svg_ids(
        '<clipPath id="p3381a0f390"/><g clip-path="url(#p3381a0f390)"/>'
        '<path id="m82da0db379"/><use xlink:href="#m82da0db379"/><g id="C0_0_fc8cb7a741"/>'
        '<path id="DejaVuSans-41"/>') == (
        '<clipPath id="p0000000000"/><g clip-path="url(#p0000000000)"/>'
        '<path id="m0000000001"/><use xlink:href="#m0000000001"/><g id="C0_0_0000000002"/>'
        '<path id="DejaVuSans-41"/>')


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
        digests.append(_hashes(figures.save(fig, "pr", folder=tmp_path / str(k))))
        plt.close(fig)
    assert digests[0] == digests[1]


def _line():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 0, 2])
    return fig


def test_save_and_show_returns_the_saved_png_and_closes_the_figure(tmp_path):
    fig = _line()
    image = figures.save_and_show(fig, "line", folder=tmp_path)
    assert image.format == "png"
    assert image.data == (tmp_path / "line.png").read_bytes()
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "line.svg").is_file()
    assert not plt.fignum_exists(fig.number)
    assert image.alt == "line"  # no title: the name in words
    titled = _line()
    titled.axes[0].set_title("Power by schools")
    assert figures.save_and_show(titled, "t", folder=tmp_path).alt == "Power by schools"
    assert figures.save_and_show(_line(), "u", folder=tmp_path, alt="a line").alt == "a line"
    # the notebook shows what save() writes for the same figure
    assert image.data == figures.save(_line(), "again", folder=tmp_path)[0].read_bytes()
    plt.close("all")


def test_save_and_show_reads_the_staged_file_while_the_pipeline_runs(tmp_path, monkeypatch):
    from collabcomm.outputs import STAGE_ENV
    from collabcomm.paths import ROOT_ENV

    root, stage = tmp_path / "proj", tmp_path / "stage"
    (root / "notebooks").mkdir(parents=True)
    monkeypatch.setenv(ROOT_ENV, str(root))
    monkeypatch.setenv(STAGE_ENV, str(stage))
    image = figures.save_and_show(_line(), "line", folder=root / "figures")
    assert not (root / "figures/line.png").exists()  # not moved into place yet
    assert image.data == (stage / "figures/line.png").read_bytes()
