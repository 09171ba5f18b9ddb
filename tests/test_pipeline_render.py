"""The slides work offline, and the offline check of pages (collabcomm.pipeline.render).

Two kinds of test:

* without a browser: what a page loads (``asset_references``), what would stop it working
  offline (``offline_problems``), the copies of the vendored assets, the slide preparation, and
  the deck of notebook 07 as HTML (no http(s) script or stylesheet, parameters not on the
  slides, code in the speaker notes);
* in headless Chromium with the network off (tests/browser.py; skipped, saying why, when
  Debian's ``chromium`` is not installed): the deck opened from a local file is a reveal.js
  slideshow, its formulas are typeset, and no request leaves the machine. A control page that
  does ask for a remote script shows that the test would see such a request. The title slide's
  screenshot is written to build/screenshots/ for a person to look at.

Notebook 07 comes from the shared pipeline run in a temporary copy of the project
(conftest.py's ``full_run``) and is rendered as slides there. The website that ``make html``
builds (collabcomm.pipeline.site), including notebook 07's page and its formulas in a browser,
is tested in tests/test_pipeline_site.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from browser import Browser, chromium, needs_chromium

from collabcomm.errors import RenderError
from collabcomm.pipeline import render

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"
DECK_NAME = "07_classroom_power"


# --- what a page loads ---------------------------------------------------------------------------

def test_asset_references_lists_what_the_browser_loads_and_not_hyperlinks():
    html = """<html><head>
    <link rel="stylesheet" href="vendor/katex/katex.min.css">
    <script src="https://cdn.example.org/require.js"></script>
    <style>@import "//fonts.example.org/x.css"; .a { background: url('img/bg.png') }</style>
    <script type="module">const m = await import("https://cdn.example.org/mermaid.mjs");</script>
    </head><body><a href="https://example.org/paper">the paper</a>
    <img src="data:image/png;base64,AAAA" srcset="a.png 1x, b.png 2x">
    <div style="background-image: url(c.png)"></div></body></html>"""
    assert render.asset_references(html) == [
        ("<link href>", "vendor/katex/katex.min.css"),
        ("<script src>", "https://cdn.example.org/require.js"),
        ("<style>", "//fonts.example.org/x.css"),
        ("<style>", "img/bg.png"),
        ("<script> text", "https://cdn.example.org/mermaid.mjs"),
        ("<img src>", "data:image/png;base64,AAAA"),
        ("<img srcset>", "a.png"),
        ("<img srcset>", "b.png"),
        ("<div style>", "c.png"),
    ]


def test_offline_problems_names_remote_and_missing_assets(tmp_path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor/local.css").write_text("@import url(https://fonts.example.org/f.css);")
    (tmp_path / "vendor/ok.js").write_text("")
    page = tmp_path / "page.html"
    page.write_text('<link rel="stylesheet" href="vendor/local.css">'
                    '<script src="vendor/ok.js?v=1"></script>'
                    '<script src="http://cdn.example.org/jquery.js"></script>'
                    '<img src="figures/missing.png"><a href="https://example.org">fine</a>'
                    '<img src="data:image/png;base64,AAAA">')
    assert render.offline_problems(page) == [
        "page.html: stylesheet vendor/local.css loads https://fonts.example.org/f.css from "
        "the network",
        "page.html: <script src> loads http://cdn.example.org/jquery.js from the network",
        f"page.html: <img src> names figures/missing.png, which is not beside the page "
        f"({tmp_path / 'figures/missing.png'})",
    ]
    page.write_text('<script src="vendor/ok.js"></script><a href="https://example.org">x</a>')
    assert render.offline_problems(page) == []


def _tiny_notebook():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nThe slope shrinks by $\\lambda$.",
                                      metadata={"slideshow": {"slide_type": "slide"}}),
        nbformat.v4.new_code_cell("n = 26  # schools", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("n = 50\n", metadata={"tags": ["injected-parameters"]}),
        nbformat.v4.new_code_cell("print(n)"),
        nbformat.v4.new_markdown_cell("## Second", metadata={"slideshow": {"slide_type": "slide"}}),
    ]
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="50\n"),
                           nbformat.v4.new_output("stream", name="stderr", text="100%|##|\n")]
    return nb


def test_nbconverts_own_deck_would_not_work_offline(tmp_path):
    """Why the companion has its own templates: nbconvert's default deck loads its scripts
    from CDNs (the issue's starting point)."""
    from nbconvert import SlidesExporter

    body, _ = SlidesExporter().from_notebook_node(_tiny_notebook())
    (tmp_path / "deck.html").write_text(body, encoding="utf-8")
    remote = [p for p in render.offline_problems(tmp_path / "deck.html") if "from the network" in p]
    assert any("require" in p for p in remote) and any("reveal.js" in p for p in remote)


def test_slide_notebook_skips_parameter_cells_and_drops_stderr():
    nb = _tiny_notebook()
    out = render.slide_notebook(nb)
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in out.cells]
    # a title slide first, a closing slide last
    assert types == ["slide", "slide", "skip", "skip", None, "slide", "slide"]
    assert [o.get("name") for o in out.cells[4].outputs] == ["stdout"]
    # the notebook given is not changed
    assert "slideshow" not in nb.cells[1].metadata and len(nb.cells[3].outputs) == 2


def test_the_deck_opens_on_the_question_and_closes_on_the_take_home_lines():
    nb = _tiny_notebook()
    nb.cells[0].source = "# 07 · How likely was it?\n\nText."
    nb.cells.insert(4, nbformat.v4.new_markdown_cell(
        "**Take-home:** power is bought\nwith schools.\n\n**Reading it.** More."))
    nb.cells.append(nbformat.v4.new_markdown_cell("Then. **Take-home:** only a reliable measure."))
    out = render.slide_notebook(nb)
    assert out.cells[0].source.startswith("# How likely was it?\n\n")
    assert f"*{render.PAPER}* (paper 001)" in out.cells[0].source
    assert out.cells[-1].source == ("## What to take home\n\n- Power is bought with schools.\n"
                                    "- Only a reliable measure.")


def test_copy_assets_copies_the_vendored_files_and_names_a_missing_one(tmp_path):
    copied = render.copy_assets(tmp_path, ["katex"])
    source = REPO / "vendor/katex"
    assert len(copied) == sum(1 for p in source.rglob("*") if p.is_file())
    for p in copied:
        assert p.read_bytes() == (source / p.relative_to(tmp_path / "vendor/katex")).read_bytes()
    with pytest.raises(RenderError, match=r"vendor/mathjax is missing"):
        render.copy_assets(tmp_path, ["mathjax"])


def test_render_slides_needs_the_executed_notebook(tmp_path):
    (tmp_path / "notebooks").mkdir()
    with pytest.raises(RenderError, match=r"07_classroom_power.ipynb does not exist: run the "
                                          r"notebook first \(python -m collabcomm run --only 07\)"):
        render.render_slides(DECK_NAME, tmp_path)


# --- the vendored packages --------------------------------------------------------------------------

@pytest.mark.parametrize("package, version, marker", [
    ("reveal.js", "6.0.2", ("dist/reveal.js", "6.0.2")),
    ("katex", "0.19.1", ("katex.min.js", 'version:"0.19.1"')),
])
def test_each_vendored_package_has_its_licence_and_its_recorded_version(package, version, marker):
    folder = REPO / "vendor" / package
    assert "Permission is hereby granted" in (folder / "LICENSE").read_text()  # MIT
    readme = (REPO / "vendor/README.md").read_text()
    assert re.search(rf"^\| {re.escape(package.split('.')[0])}\S* \| {re.escape(version)} \|",
                     readme, re.IGNORECASE | re.MULTILINE), "vendor/README.md names another version"
    script = (REPO / "vendor/update.sh").read_text()
    key = "REVEAL" if package == "reveal.js" else "KATEX"
    assert f"{key}_VERSION={version}\n" in script
    assert marker[1] in (folder / marker[0]).read_text(encoding="utf-8")


def test_the_white_theme_embeds_its_font_and_carries_its_licence():
    css = (REPO / "vendor/reveal.js/dist/theme/white.css").read_text()
    assert "@import" not in css and "url(data:font/woff" in css
    assert "SIL Open Font License" in (REPO / "vendor/reveal.js/LICENSE.source-sans-pro").read_text()


# --- notebook 07 as a deck and as a page ---------------------------------------------------------

@pytest.fixture(scope="module")
def rendered(full_run):
    root, report = full_run  # the shared run of every notebook (conftest.py)
    assert report.ok, report.failure and report.failure.message
    return render.render_slides(DECK_NAME, root)


@pytest.mark.notebooks
def test_deck_loads_only_local_scripts_and_styles(rendered):
    deck = rendered
    assert deck == deck.parent.parent / "slides" / f"{DECK_NAME}.slides.html"
    refs = render.asset_references(deck.read_text(encoding="utf-8"))
    scripts = [u for where, u in refs if where in ("<script src>", "<link href>")]
    assert scripts == ["vendor/collabcomm-live/collabcomm-live.css", "vendor/vega/vega.min.js",
                       "vendor/vega/vega-lite.min.js", "vendor/vega/vega-embed.min.js",
                       "vendor/collabcomm-live/collabcomm-live.js",
                       "vendor/reveal.js/dist/reveal.css", "vendor/katex/katex.min.css",
                       "vendor/katex/katex.min.js", "vendor/katex/contrib/auto-render.min.js",
                       "vendor/reveal.js/dist/theme/white.css", "vendor/reveal.js/dist/reveal.js",
                       "vendor/reveal.js/dist/plugin/notes.js"]
    assert not [u for _, u in refs if re.match(r"(https?:)?//", u)]
    assert render.offline_problems(deck) == []
    for name in ("jquery", "require.js", "mathjax", "mermaid", "unpkg", "cdnjs"):
        assert name not in deck.read_text(encoding="utf-8").lower(), name


@pytest.mark.notebooks
def test_deck_reads_as_a_lecture(rendered):
    html = rendered.read_text(encoding="utf-8")
    # the question, six sections (the sixth live), three figures, a take-home line per section
    assert "The question." in html
    for k in range(1, 7):
        assert f"<h2 id=\"{k}." in html, k
    assert html.count('src="data:image/png;base64,') == 3
    assert html.count("<strong>Take-home:</strong>") == 6
    assert html.count('class="fragment"') >= 5
    # no parameters cell (neither the defaults nor papermill's injected copy)
    assert "sim_seed = 0" not in html and "injected" not in html.lower()
    # every code cell's source is in the speaker notes, none on a slide
    notes = re.findall(r'<aside class="notes">(.*?)</aside>', html, re.S)
    code = "".join(notes)
    assert "simulate.simulate_model(n_schools" in code
    assert "page.figure(figures.power_curve(grid, term_label=term_label, model=model)" in code
    outside = re.sub(r'<aside class="notes">.*?</aside>', "", html, flags=re.S)
    assert "simulate.simulate_model(" not in outside and "save_and_show" not in outside
    # progress bars (stderr) are not on the slides
    assert "settings100%" not in html
    # a title slide naming the paper and the question, a closing slide of the take-home lines
    first, last = html.index("<section"), html.rindex("<section")
    assert render.PAPER in html[first:html.index("</section>", first)]
    assert "How likely was a 26-school study to detect the effect?" in html[first:first + 2000]
    closing = html[last:]
    # the notebook's six take-home lines (five sections and the live figures')
    assert "What to take home" in closing and closing.count("<li>") == 6
    # the website's tables and captions, and real alt text on every figure
    assert re.findall(r"Table 7\.\d+: ", html) and len(re.findall(r"Figure 7\.\d+: ", html)) >= 3
    assert "No description has been provided" not in html
    alts = re.findall(r'<img\b[^>]*?\balt="([^"]*)"[^>]*\bsrc="data:image/png;base64,', html)
    assert len(alts) == 3 and all(len(a.split()) >= 5 for a in alts)
    assert "dtype:" not in html and not re.search(r"\b\d\.\d+e[-+]\d+\b", outside)


@pytest.mark.notebooks
def test_deck_names_the_version_and_commit_it_was_built_from(rendered):
    from collabcomm.pipeline.provenance import describe, git_commit

    html = rendered.read_text(encoding="utf-8")
    stamps = re.findall(r'<p class="collabcomm-build"[^>]*>Built from ([^<]*)</p>', html)
    assert stamps == [describe()]
    assert f"commit {git_commit().short}" in stamps[0]
    # outside the slides, so every slide shows it and no slide is added
    assert html.index('class="collabcomm-build"') > html.rindex("</section>")


# --- in a browser with the network off ---------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with Browser(chromium()) as b:
        yield b


@needs_chromium
def test_the_browser_sees_a_page_that_asks_the_network(browser, tmp_path):
    """The control: a page that loads a remote script gets nothing, and the log shows the
    request (so an empty log in the tests below means no request was made)."""
    page = tmp_path / "remote.html"
    page.write_text('<html><body><script src="https://cdn.example.org/lib.js"></script>'
                    '<p id="p">page</p></body></html>')
    browser.open(page.as_uri())
    log = browser.log()
    assert log.remote_requests() == ["https://cdn.example.org/lib.js"]
    assert log.failed and "cdn.example.org/lib.js" in log.failed[0]
    assert page.as_uri() in log.requests


@needs_chromium
@pytest.mark.notebooks
def test_deck_is_a_slideshow_offline(rendered, browser):
    deck = rendered
    browser.resize(1280, 720)  # a classroom projector
    browser.open(deck.as_uri())
    assert browser.wait_for("typeof Reveal !== 'undefined' && Reveal.isReady()"), \
        "reveal.js did not initialise"
    assert browser.evaluate("document.querySelectorAll('.reveal .slides section').length") > 1
    # title, 7 slides (3 with a 'numbers' slide; one of them live), what to take home
    assert browser.evaluate("Reveal.getTotalSlides()") == 12
    assert browser.evaluate("Reveal.getHorizontalSlides().length") == 9
    # a slideshow shows one slide at a time, not one long page
    assert browser.evaluate("document.querySelectorAll('.reveal .slides > section.present')"
                            ".length") == 1
    # the formulas are typeset by KaTeX, no raw TeX left
    assert browser.evaluate("document.querySelectorAll('.reveal .katex').length") >= 4
    text = browser.evaluate("(() => { const c = document.querySelector('.reveal .slides')"
                            ".cloneNode(true); c.querySelectorAll('.katex, aside.notes')"
                            ".forEach(e => e.remove()); return c.textContent; })()")
    assert "reliability" in text and "\\lambda" not in text and "$" not in text
    # every figure decoded
    assert browser.evaluate("Array.from(document.querySelectorAll('.reveal img'))"
                            ".filter(i => i.naturalWidth > 0).length") == 3
    # the code is one keypress away: in the speaker notes of its slide
    assert "simulate.simulate_model(n_schools" in browser.evaluate(
        "Reveal.getSlideNotes(Reveal.getSlide(2, 0))")
    # body text readable at 1280 x 720: about 28 px on the screen
    body = browser.evaluate("(() => { const p = Reveal.getSlide(1, 0).querySelector("
                            "'.jp-RenderedMarkdown p'); return parseFloat(getComputedStyle(p)"
                            ".fontSize) * Reveal.getScale(); })()")
    assert 26 <= body <= 31, body
    shot = browser.screenshot(SCREENSHOTS / f"{DECK_NAME}_title.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    # the slide with the attenuation formula: KaTeX's fonts load from the local copy
    browser.evaluate("Reveal.slide(4, 0)")
    assert browser.wait_for("Reveal.getIndices().h === 4 && document.fonts.status === 'loaded'"
                            " && document.fonts.check('16px KaTeX_Math')")
    browser.screenshot(SCREENSHOTS / f"{DECK_NAME}_attenuation.png")
    log = browser.log()
    assert log.remote_requests() == [], "requests left the machine"
    assert log.failed == [] and log.errors == []
    local = [u for u in log.requests if u.startswith("file:")]
    assert any(u.endswith("vendor/reveal.js/dist/reveal.js") for u in local)
    assert any(u.endswith("vendor/katex/fonts/KaTeX_Math-Italic.woff2") for u in local)


@needs_chromium
@pytest.mark.notebooks
def test_key_s_shows_the_code_in_the_speaker_view_offline(rendered, browser):
    import time

    deck = rendered
    browser.open(deck.as_uri() + "#/2")
    assert browser.wait_for("typeof Reveal !== 'undefined' && Reveal.isReady()"
                            " && Reveal.getIndices().h === 2")
    before = set(browser.other_pages())
    browser.press("s")
    deadline, views = time.monotonic() + 20, {}
    while time.monotonic() < deadline and not views:
        views = {k: v for k, v in browser.other_pages().items()
                 if k not in before and "simulate.simulate_model(n_schools" in v}
        time.sleep(0.2)
    assert views, "pressing S opened no speaker view showing the slide's code"
    for target in views:
        browser.call("Target.closeTarget", {"targetId": target})
