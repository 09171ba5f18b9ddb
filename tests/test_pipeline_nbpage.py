"""A notebook's page as a reader sees it (collabcomm.pipeline.nbpage): code folded, figures
captioned, parameters as a table, and no line of the notebook's Markdown lost."""

from __future__ import annotations

import base64

import nbformat

from collabcomm.pipeline import nbpage
from collabcomm.present import Caption
from collabcomm.present.page import CAPTION_KEY


def _code(tags=(), outputs=()):
    return nbformat.v4.new_code_cell("x = 1", metadata={"tags": list(tags)}, outputs=list(outputs))


def test_code_is_folded_the_injected_cell_removed_and_the_parameters_shown_as_a_table():
    plain, plumbing, params, injected = (_code(), _code(["remove-input"]), _code(["parameters"]),
                                         _code(["injected-parameters"]))
    for cell in (plain, plumbing, injected):
        nbpage.fold_code(cell)
    nbpage.fold_code(params, "<table>P</table>")
    assert plain.metadata.tags == ["hide-input"]
    assert plumbing.metadata.tags == ["remove-input"]
    assert injected.metadata.tags == ["injected-parameters", "remove-cell"]
    assert params.metadata.tags == ["parameters", "remove-input"]
    assert params.outputs[0]["data"]["text/html"] == "<table>P</table>"


def test_the_parameters_table_names_value_and_meaning():
    class Spec:
        help = "schools per simulated study"

    html = nbpage.parameters_table({"n_schools": 26, "output_dir": ""}, {"n_schools": Spec()})
    assert "<strong>Parameters of this run</strong>" in html
    assert ">n_schools</td>" in html and ">26</td>" in html and "(empty)" in html
    assert "schools per simulated study" in html


def test_a_figure_and_its_caption_become_one_captioned_figure():
    png = base64.b64encode(b"\x89PNG").decode()
    image = nbformat.v4.new_output("display_data", data={"image/png": png}, metadata={
        "image/png": {"alt": "Bars of alpha per scale", "caption": "Figure 2.1: Alpha, *as is*",
                      "name": "instrument_reliability"}})
    data, md = Caption("Figure 2.1: Alpha")._repr_markdown_()
    caption = nbformat.v4.new_output("display_data", data={"text/markdown": data},
                                     metadata={"text/markdown": md})
    cell = _code(outputs=[image, caption])
    nbpage.caption_figure(cell)
    assert md == {CAPTION_KEY: "caption"}
    assert cell.outputs == [image]
    assert cell.metadata.mystnb["figure"] == {
        "caption": r"**Figure 2\.1:** Alpha\, \*as is\* [SVG](figures/instrument_reliability.svg)",
        "name": "figure-instrument_reliability"}


def test_page_text_is_the_main_elements_text_with_blocks_apart():
    html = ("<html><nav>Menu</nav><main><h1>Title</h1><p>A <em>b</em>c</p><script>x</script>"
            "<table><tr><td>1</td><td>2</td></tr></table></main><footer>F</footer></html>")
    assert nbpage.page_text(html) == "Title A bc 1 2"


def test_a_line_myst_reads_as_a_comment_is_found_lost():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(
        "# 04 · Does it hold?\n\nThe collinearity of baseline API and\n% SED; the types too.\n\n"
        "$$x = 1$$\n\nFor school $j$ and\n`item_id`, *emphasis\nacross lines*.")]
    page = ("<main><h1>Does it hold?</h1><p>The collinearity of baseline API and</p>"
            "<p>For school <span>j</span> and item_id, <em>emphasis across lines</em>.</p></main>")
    assert nbpage.lost_lines(nb, page) == ["% SED; the types too."]
    whole = page.replace("API and</p>", "API and % SED; the types too.</p>")
    assert nbpage.lost_lines(nb, whole) == []
