"""The theme and deterministic saving (collabcomm.figures.theme): PNG and SVG with the same
bytes on every run."""

from __future__ import annotations

import matplotlib.pyplot as plt
from figure_helpers import draw_heatmaps, hashes

from collabcomm import figures


def _line():
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 0, 2])
    return fig


def test_save_writes_png_and_svg_identically_twice(tmp_path):
    fig = draw_heatmaps()
    first = figures.save(fig, "heat", folder=tmp_path)
    h1 = hashes(first)
    plt.close(fig)
    fig = draw_heatmaps()
    second = figures.save(fig, "heat", folder=tmp_path / "again")
    plt.close(fig)
    assert [p.name for p in first] == ["heat.png", "heat.svg"]
    assert h1 == hashes(second)


def test_no_version_or_date_in_metadata(tmp_path):
    fig = draw_heatmaps()
    png, svg = figures.save(fig, "meta", folder=tmp_path)
    plt.close(fig)
    assert b"Matplotlib" not in png.read_bytes()
    text = svg.read_text()
    assert "<dc:date>" not in text and "Matplotlib v" not in text


def test_svg_ids_do_not_carry_float_noise():
    assert figures.stable_svg_ids(
        '<clipPath id="p3381a0f390"/><g clip-path="url(#p3381a0f390)"/>'
        '<path id="m82da0db379"/><use xlink:href="#m82da0db379"/><g id="C0_0_fc8cb7a741"/>'
        '<path id="DejaVuSans-41"/>') == (
        '<clipPath id="p0000000000"/><g clip-path="url(#p0000000000)"/>'
        '<path id="m0000000001"/><use xlink:href="#m0000000001"/><g id="C0_0_0000000002"/>'
        '<path id="DejaVuSans-41"/>')


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
