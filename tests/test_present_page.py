"""A notebook's numbered tables and figures (collabcomm.present.page)."""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from collabcomm.present import Page  # noqa: E402
from collabcomm.present.page import CAPTION_KEY  # noqa: E402


def test_tables_and_figures_are_numbered_apart_and_a_rerun_keeps_its_number():
    page = Page(4)
    assert page.label("Table", "Models") == "Table 4.1: Models"
    assert page.label("Figure", "Coefficients") == "Figure 4.1: Coefficients"
    assert page.label("Table", "Robustness") == "Table 4.2: Robustness"
    assert page.label("Table", "Models") == "Table 4.1: Models"  # the cell run again


def test_a_table_carries_its_numbered_caption_and_a_unique_id():
    page = Page(3)
    page.table(pd.DataFrame({"x": [1]}), "First")
    shown = page.table(pd.DataFrame({"mean": [849.2212]}), "Second", note="Source: Exhibit 2.")
    assert shown.caption == "Table 3.2: Second"
    assert 'id="T_t3-2"' in shown.to_html() and "Source: Exhibit 2." in shown.to_html()


def test_a_figure_is_saved_shown_with_alt_and_caption(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    caption = Page(7).figure(fig, "line", "A line", alt="A rising straight line.",
                             folder=tmp_path)
    assert (tmp_path / "line.png").is_file() and (tmp_path / "line.svg").is_file()
    data, md = shown[0]._repr_png_()
    assert base64.b64decode(data) == (tmp_path / "line.png").read_bytes()  # as written
    assert md["alt"] == "A rising straight line."
    assert md["caption"] == "Figure 7.1: A line" and md["name"] == "line"
    assert caption._repr_markdown_() == ("*Figure 7.1: A line*", {CAPTION_KEY: "caption"})


def test_a_figure_without_alt_text_is_refused(tmp_path):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="'bare': give an alt text"):
        Page(1).figure(fig, "bare", "Bare", alt=" ", folder=tmp_path)
    plt.close(fig)
