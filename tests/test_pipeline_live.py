"""Notebook 07's live figures on the website and in the slides (collabcomm.pipeline.live).

* Without a browser: a Vega-Lite output becomes a ``div`` and its specification (no
  ``$schema`` address, nothing that can end the script element); the vendored vega, vega-lite
  and vega-embed are the versions altair writes for, with their licences; the executed notebook,
  the page and the deck carry the same specification.
* In headless Chromium with the network off (tests/browser.py): on notebook 07's page every
  control is moved and the figure it drives is redrawn; the power shown equals
  ``simulate.power_summary(simulate.simulate_model(...))`` at two settings to the grid's
  precision (three decimals: power is a multiple of 1/500); on the live slide the N slider is
  moved with the keyboard and with the mouse while reveal.js runs, and the power shown is again
  the library's; no request leaves the machine. Screenshots at two settings of each go to
  build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from browser import Browser, chromium, needs_chromium

from collabcomm import classroom as C
from collabcomm import simulate as S
from collabcomm.errors import RenderError
from collabcomm.live import VEGALITE_MIME
from collabcomm.pipeline import live, render, site

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"
STEM = "07_classroom_power"


# --- without a browser ---------------------------------------------------------------------------

def _nb_with(spec):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fig")
    cell.outputs = [nbformat.v4.new_output("execute_result", {
        VEGALITE_MIME: spec, "text/plain": "<live figure: a test>"}, execution_count=1),
        nbformat.v4.new_output("stream", text="kept\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# x"), cell]
    return nb


def test_a_vega_lite_output_becomes_a_div_and_its_specification():
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.20.1.json",
            "mark": "point", "title": "a </script> in the text"}
    nb = _nb_with(spec)
    out = live.live_outputs(nb, "07_x")
    assert nb.cells[1].outputs[0]["data"][VEGALITE_MIME] == spec  # the input is not changed
    data = out.cells[1].outputs[0]["data"]
    assert set(data) == {"text/html", "text/plain"}
    html = data["text/html"]
    assert html.startswith('<div class="collabcomm-live" id="live-07-x-1" role="figure" '
                           'aria-label="live figure: a test"></div>')
    assert "</script>" not in html.split('data-target="live-07-x-1">')[1][:-len("</script>\n")]
    embedded = json.loads(re.search(r'data-target="live-07-x-1">(.*)</script>', html).group(1))
    assert embedded == {"mark": "point", "title": "a </script> in the text"}
    assert "vega.github.io" not in html and render.asset_references(html) == []
    assert out.cells[1].outputs[1]["text"] == "kept\n"


def test_the_live_assets_are_copied_and_a_missing_one_is_named(tmp_path):
    copied = live.copy_live_assets(tmp_path / "out")
    names = sorted(p.name for p in copied)
    assert names == sorted(["LICENSE.vega-embed", "LICENSE.vega-lite", "package.vega.json",
                            "vega.min.js", "vega-lite.min.js", "vega-embed.min.js",
                            "collabcomm-live.js", "collabcomm-live.css"])
    (tmp_path / "proj" / "vendor").mkdir(parents=True)
    with pytest.raises(RenderError, match=r"vendor/vega is missing or incomplete: the live "
                                          r"figures load vega.min.js"):
        live.copy_live_assets(tmp_path / "out2", root=tmp_path / "proj")


@pytest.mark.parametrize("name, version_attr, marker", [
    ("vega", "VEGA_VERSION", 't.version="{v}"'),
    ("vega-lite", "VEGALITE_VERSION", 'var n="{v}"'),
    ("vega-embed", "VEGAEMBED_VERSION", 'fn="{v}"'),
])
def test_the_vendored_vega_is_what_altair_writes_for(name, version_attr, marker):
    import altair as alt

    script = (REPO / "vendor/update.sh").read_text()
    key = name.upper().replace("-", "") + "_VERSION="
    version = re.search(rf"^{key}(\S+)$", script, re.M).group(1)
    wanted = getattr(alt, version_attr).lstrip("v")
    # altair names vega's and vega-embed's major version, vega-lite's exact one
    assert version == wanted or version.split(".")[0] == wanted, (version, wanted)
    text = (REPO / "vendor/vega" / f"{name}.min.js").read_text(encoding="utf-8")
    assert marker.format(v=version) in text
    row = next(ln for ln in (REPO / "vendor/README.md").read_text().splitlines()
               if ln.startswith("| vega, vega-lite, vega-embed |"))
    assert version in row.split("|")[2]
    for lic in ("LICENSE.vega-lite", "LICENSE.vega-embed"):
        assert "Redistribution and use in source and binary forms" in (
            REPO / "vendor/vega" / lic).read_text()  # BSD-3-Clause
    assert json.loads((REPO / "vendor/vega/package.vega.json").read_text())["license"] == \
        "BSD-3-Clause"


def test_jupyterlab_draws_the_output_type_itself():
    """The installed JupyterLab bundles a renderer for Vega-Lite 5 outputs (no extension, no
    network): the notebook shows the live figure as it is."""
    import jupyterlab

    static = Path(jupyterlab.__file__).parent / "static"
    assert any(VEGALITE_MIME in p.read_text(encoding="utf-8", errors="ignore")
               for p in static.glob("*.js"))


# --- notebook 07: the executed notebook, its page and its deck ----------------------------------

@pytest.fixture(scope="module")
def built(full_run):
    root, report = full_run  # the shared run of every notebook (conftest.py)
    assert report.ok, report.failure and report.failure.message
    index = site.build_site(root)
    deck = render.render_slides(STEM, root)
    return root, index.parent / f"{STEM}.html", deck


def _specs(html: str) -> list[dict]:
    # nbconvert writes a cell's HTML again, with its attributes in another order
    return [json.loads(m) for m in re.findall(
        r'<script[^>]*class="collabcomm-live-spec"[^>]*>(.*?)</script>', html, re.S)]


@pytest.mark.notebooks
def test_the_notebook_the_page_and_the_deck_carry_the_same_figures(built):
    root, page, deck = built
    nb = nbformat.read(root / "build/notebooks" / f"{STEM}.ipynb", as_version=4)
    outputs = [o["data"][VEGALITE_MIME] for c in nb.cells if c.cell_type == "code"
               for o in c.outputs if VEGALITE_MIME in o.get("data", {})]
    assert len(outputs) == 2  # the page's explorer and the slide's power curve
    plain = [{k: v for k, v in s.items() if k != "$schema"} for s in outputs]
    page_html, deck_html = page.read_text(encoding="utf-8"), deck.read_text(encoding="utf-8")
    assert _specs(page_html) == [plain[0]]  # the slide's cell is removed from the page
    assert _specs(deck_html) == [plain[1]]  # the explorer is skipped in the deck
    size = sum(len(json.dumps(v)) for v in outputs[0]["datasets"].values())
    assert 50_000 < size < 1_000_000 and len(page_html.encode()) < 1_000_000
    assert f"data embedded in the figure: {round(size / 1000)} kB" in page_html
    assert render.offline_problems(deck) == [] and site.site_problems(page.parent) == []
    for name in live.LIVE_SCRIPTS:
        assert f'src="_static/vendor/vega/{name}' in page_html  # Sphinx adds ?v=<hash>
        assert f'src="vendor/vega/{name}"' in deck_html
    other = (page.parent / "04_regressions.html").read_text(encoding="utf-8")
    assert "vega.min.js" not in other  # loaded only where a live figure is


# --- in a browser with the network off -----------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with Browser(chromium(), width=1280, height=1500) as b:
        yield b


def library_power(n: int, effect: float, reliability: float, level: float) -> str:
    """The power notebook 07's functions give at a setting, as the figure writes it."""
    sim = S.simulate_model(n, reps=C.GRID_REPS, alpha=reliability, teachers=None,
                           effect=effect * C.slope_per_sd(), seed=0)
    return f"{S.power_summary(sim, design_level=level)[f'power_{level:g}']:.3f}"


READOUT = ("(() => {{ const t = document.querySelector('#{fig} .{name}_marks text'); "
           "return t ? t.textContent : null; }})()")


def _readouts(browser, fig, names):
    return {n: browser.evaluate(READOUT.format(fig=fig, name=n)) for n in names}


def _set(browser, fig, label, value):
    """Move the control named ``label`` to ``value`` as a user does (an input event)."""
    return browser.evaluate(f"""(() => {{
        const bind = [...document.querySelectorAll('#{fig} .vega-bind')]
            .find(b => b.querySelector('.vega-bind-name').textContent.startsWith({label!r}));
        const radio = bind.querySelector('input[type=radio][value="{value}"]');
        if (radio) {{ radio.click(); return radio.checked; }}
        const input = bind.querySelector('input[type=range]');
        input.value = {value};
        input.dispatchEvent(new Event('input', {{bubbles: true}}));
        return +input.value === {value};
    }})()""")


def _changed(browser, fig, name, before):
    return browser.wait_for(f"{READOUT.format(fig=fig, name=name)} !== {json.dumps(before)}",
                            timeout=10)


NAMES = ("power_readout", "type_m_readout", "type_s_readout", "attenuation_readout")


@needs_chromium
@pytest.mark.notebooks
def test_the_page_redraws_for_every_control_and_shows_the_librarys_power(built, browser):
    _, page, _ = built
    browser.open(page.as_uri())
    fig = "live-07-classroom-power-1"
    assert browser.wait_for(f"document.getElementById('{fig}').getAttribute('data-state') "
                            "=== 'ready'", timeout=60), "the live figure was not drawn"
    assert browser.wait_for(READOUT.format(fig=fig, name="attenuation_readout"))
    browser.evaluate(f"document.getElementById('{fig}').scrollIntoView()")
    start = _readouts(browser, fig, NAMES)
    # the starting setting: N = 26, slope 0.08, reliability 0.8 (the notebook's), p < .05
    assert start["power_readout"] == f"N = 26: power {library_power(26, 0.08, 0.8, 0.05)}"
    assert start["type_m_readout"].startswith("N = 26: Type M ")
    assert start["attenuation_readout"].startswith("reliability 0.80: observed ")
    browser.screenshot(SCREENSHOTS / f"{STEM}_live_page_start.png")
    # each control redraws the figures it drives
    moves = [("Number of schools", 40, ("power_readout", "type_m_readout")),
             ("True standardized slope", 0.12, ("power_readout", "attenuation_readout")),
             ("Reliability of school means", 0.6, ("power_readout", "attenuation_readout")),
             ("Significance level", 0.01, ("power_readout", "type_m_readout"))]
    for label, value, redrawn in moves:
        before = _readouts(browser, fig, NAMES)
        svg = browser.evaluate(f"document.querySelector('#{fig} svg').innerHTML")
        assert _set(browser, fig, label, value), label
        for name in redrawn:
            assert _changed(browser, fig, name, before[name]), f"{label}: {name} not redrawn"
        assert browser.evaluate(f"document.querySelector('#{fig} svg').innerHTML") != svg
    after = _readouts(browser, fig, NAMES)
    assert after["power_readout"] == f"N = 40: power {library_power(40, 0.12, 0.6, 0.01)}"
    assert after["attenuation_readout"].startswith("reliability 0.60: observed ")
    browser.screenshot(SCREENSHOTS / f"{STEM}_live_page_moved.png")
    log = browser.log()
    assert log.remote_requests() == [], "requests left the machine"
    assert log.failed == [] and log.errors == []
    local = [u for u in log.requests if u.startswith("file:")]
    assert any("_static/vendor/vega/vega-embed.min.js" in u for u in local)


def _key(browser, key, code, vk):
    for kind in ("keyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", {"type": kind, "key": key, "code": code,
                                                "windowsVirtualKeyCode": vk}, session=True)


@needs_chromium
@pytest.mark.notebooks
def test_the_live_slide_follows_keyboard_and_mouse_while_presenting(built, browser):
    _, _, deck = built
    browser.open(deck.as_uri())
    assert browser.wait_for("typeof Reveal !== 'undefined' && Reveal.isReady()")
    h = browser.evaluate("[...document.querySelectorAll('.reveal .slides > section')]"
                         ".findIndex(s => s.querySelector('.collabcomm-live'))")
    assert h > 0
    browser.evaluate(f"Reveal.slide({h}, 0)")
    fig = browser.evaluate("document.querySelector('.reveal .collabcomm-live').id")
    assert browser.wait_for(f"document.getElementById('{fig}').getAttribute('data-state') "
                            "=== 'ready' && Reveal.getIndices().h === " + str(h), timeout=60)
    assert browser.wait_for(READOUT.format(fig=fig, name="power_readout"))
    first = _readouts(browser, fig, ["power_readout"])["power_readout"]
    assert first == f"N = 26: power {library_power(26, 0.08, 0.8, 0.05)}"
    browser.screenshot(SCREENSHOTS / f"{STEM}_live_slide_start.png")
    # keyboard: Tab reaches the slider, the arrows move it (not the deck), Escape gives the
    # keyboard back to the deck
    slider = f"document.querySelector('#{fig} input[type=range]')"
    for _ in range(40):
        if browser.evaluate(f"document.activeElement === {slider}"):
            break
        _key(browser, "Tab", "Tab", 9)
    assert browser.evaluate(f"document.activeElement === {slider}"), "Tab never reached it"
    _key(browser, "ArrowRight", "ArrowRight", 39)
    _key(browser, "ArrowRight", "ArrowRight", 39)
    assert _changed(browser, fig, "power_readout", first)
    keyed = _readouts(browser, fig, ["power_readout"])["power_readout"]
    assert keyed == f"N = 30: power {library_power(30, 0.08, 0.8, 0.05)}"
    assert browser.evaluate("Reveal.getIndices().h") == h  # the arrows moved the slider only
    _key(browser, "Escape", "Escape", 27)
    assert browser.evaluate(f"document.activeElement !== {slider}")
    # mouse: a click near the right end of the slider
    box = browser.evaluate(f"(() => {{ const r = {slider}.getBoundingClientRect(); "
                           "return [r.left, r.top, r.width, r.height]; })()")
    x, y = box[0] + 0.97 * box[2], box[1] + box[3] / 2
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", {"type": kind, "x": x, "y": y,
                                                  "button": "left", "clickCount": 1},
                     session=True)
    assert _changed(browser, fig, "power_readout", keyed)
    n = browser.evaluate(f"+{slider}.value")
    assert n >= 56
    clicked = _readouts(browser, fig, ["power_readout"])["power_readout"]
    assert clicked == f"N = {n}: power {library_power(n, 0.08, 0.8, 0.05)}"
    browser.screenshot(SCREENSHOTS / f"{STEM}_live_slide_moved.png")
    # after the mouse, the arrow keys drive the deck again
    _key(browser, "ArrowRight", "ArrowRight", 39)
    assert browser.wait_for(f"Reveal.getIndices().h !== {h} || Reveal.getIndices().f >= 0")
    log = browser.log()
    assert log.remote_requests() == [], "requests left the machine"
    assert log.failed == [] and log.errors == []
