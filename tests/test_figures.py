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
