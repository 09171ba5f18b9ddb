"""The website as a reader sees it, in headless Chromium with the network off, at a 390 px phone
width and on a 1366 px screen (issue 29): every notebook page, the landing page, the audit page
and the gallery.

On each page and at each width:

* no page-level horizontal overflow (the page is never wider than the window);
* no display formula clipped: each lies inside the window, and one wider than its box scrolls
  inside that box;
* no cell of a shown table reads NaN, None, <NA> or NaT; no number in an output has six or more
  decimals or is in e-notation; no ``dtype:`` line; nothing printed is a Python object (a dict,
  a list of numbers, a bare True, False or None);
* at most one code cell visible (the rest folded behind a toggle or removed), and at most one
  search box;
* every figure has a numbered caption ("Figure N.k: ...") and an alt text that describes it; a
  live figure has its numbered caption below it;
* every line of the notebook's Markdown is on its page (:func:`collabcomm.pipeline.nbpage.lost_lines`).

On the phone, every row of the audit table shows its status inside the window. Screenshots of
the landing page, pages 02, 04 and 06 and the audit page at both widths are saved to
``build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from browser import Browser, chromium, needs_chromium

from collabcomm.pipeline.nbpage import lost_lines

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"
WIDTHS = {"phone": (390, 844, True), "screen": (1366, 900, False)}
SHOTS = ("index", "02_instrument", "04_regressions", "06_reproducibility_audit", "audit")
# e-notation with or without a decimal point, and with a hyphen or a true minus (5e−05)
RAW_NUMBER = re.compile(r"(?<![\w.])-?\d+\.\d{6,}(?![\w.])|\b\d(?:\.\d+)?e[-+−]\d+\b")
RAW_MISSING = {"NaN", "nan", "<NA>", "None", "NaT"}
# what a cell prints is sentences: no Python dict, list of numbers or bare True/False/None
RAW_OBJECT = re.compile(r"\{'[^']*': |\[-?\d[\d.]*(?:, -?\d[\d.]*)+\]|\b(?:True|False|None)\b")
CAPTION = re.compile(r"^Figure \d+\.\d+: \S")

STATE = r"""(() => {
  const W = window.innerWidth;
  const visible = e => e.offsetParent !== null && e.getClientRects().length > 0 &&
                       !e.closest('details:not([open])');
  const main = document.querySelector('main');
  const outputs = Array.from(main.querySelectorAll('.cell_output'));
  const maths = Array.from(main.querySelectorAll('.katex-display')).concat(
      Array.from(main.querySelectorAll('div.math')).filter(d => !d.querySelector('.katex-display')));
  return {
    width: W,
    overflow: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - W,
    scroll: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
    math: maths.map(m => {
      const r = m.getBoundingClientRect(), s = getComputedStyle(m);
      return {text: m.textContent.slice(0, 60), left: r.left, right: r.right,
              scrolls: m.scrollWidth > m.clientWidth + 1,
              scrollable: ['auto', 'scroll'].includes(s.overflowX)};
    }),
    cells: outputs.flatMap(o => Array.from(o.querySelectorAll('td, th'))
                                     .map(c => c.textContent.trim())),
    outputText: outputs.map(o => o.innerText).join('\n'),
    printed: Array.from(main.querySelectorAll('.cell_output .output.stream'))
                  .map(o => o.innerText).join('\n'),
    code: Array.from(main.querySelectorAll('.cell_input')).filter(visible).length,
    images: Array.from(main.querySelectorAll('.cell_output img, figure img')).map(i => {
      const f = i.closest('figure'), c = f && f.querySelector('figcaption');
      return {src: i.getAttribute('src'), alt: i.getAttribute('alt') || '',
              caption: c ? c.textContent.trim() : ''};
    }),
    auditRows: Array.from(main.querySelectorAll('table.audit-table tbody tr')).map(tr => {
      const b = tr.querySelector('.sd-badge');
      const r = b ? b.getBoundingClientRect() : null;
      return r ? {left: r.left, right: r.right, width: r.width} : null;
    }),
    live: Array.from(main.querySelectorAll('.collabcomm-live')).map(d => {
      const out = d.closest('.cell_output'); return out ? out.innerText : '';
    }),
    search: Array.from(document.querySelectorAll('.search-button__button, form.bd-search input'))
                 .filter(visible).length,
    html: main.outerHTML,
  };
})()"""


FIRST_EXHIBIT = """(() => {
  const e = document.querySelector('main .cc-table-box, main table.audit-table, main figure');
  if (e) { e.scrollIntoView({block: 'start'}); window.scrollBy(0, -60); }
  return !!e;
})()"""


@pytest.fixture(scope="module")
def reader():
    with Browser(chromium(), width=1366, height=900) as b:
        yield b


def _problems(name: str, state: dict, nb) -> list[str]:
    out = []
    if state["overflow"] > 1:
        out.append(f"the page is {state['overflow']} px wider than the window")
    for m in state["math"]:
        if m["left"] < -1 or m["right"] > state["width"] + 1:
            out.append(f"formula outside the window: {m['text']!r}")
        elif m["scrolls"] and not m["scrollable"]:
            out.append(f"formula clipped (wider than its box, which does not scroll): {m['text']!r}")
    out += [f"table cell reads {c!r}" for c in state["cells"] if c in RAW_MISSING]
    out += [f"raw number {n!r} in an output" for n in RAW_NUMBER.findall(state["outputText"])]
    out += [f"a Python object printed: {m!r}" for m in RAW_OBJECT.findall(state["printed"])]
    if "dtype:" in state["outputText"]:
        out.append("a 'dtype:' line in an output")
    if state["search"] > 1:
        out.append(f"{state['search']} search boxes visible (one expected)")
    if state["code"] > 1:
        out.append(f"{state['code']} code cells visible (at most one)")
    for img in state["images"]:
        if not CAPTION.match(img["caption"]):
            out.append(f"figure {img['src']} has no numbered caption ({img['caption'][:40]!r})")
        alt = img["alt"]
        if len(alt.split()) < 5 or re.search(r"\.(png|svg)$|^[\w-]+$", alt) or \
                "No description" in alt:
            out.append(f"figure {img['src']} has no real alt text ({alt!r})")
    for text in state["live"]:
        if not re.search(r"(?m)^Figure \d+\.\d+: \S", text):
            out.append("a live figure has no numbered caption")
    if nb is not None:
        out += [f"notebook line missing from the page: {line!r}"
                for line in lost_lines(nb, state["html"])]
    return [f"{name}: {p}" for p in out]


@needs_chromium
@pytest.mark.notebooks
def test_pages_read_as_a_publication_on_a_phone_and_a_screen(built_site, reader):
    root, html = built_site
    stems = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    pages = ["index", *stems, "audit", "gallery"]
    problems = []
    for width, height, mobile in WIDTHS.values():
        reader.resize(width, height, mobile=mobile)
        for page in pages:
            reader.open((html / f"{page}.html").as_uri())
            reader.wait_for("document.fonts.status === 'loaded' && "
                            "document.querySelectorAll('.math').length === "
                            "document.querySelectorAll('.math .katex').length && "
                            "document.querySelectorAll('.collabcomm-live').length === "
                            "document.querySelectorAll('.collabcomm-live > svg').length")
            state = reader.evaluate(STATE)
            # on an emulated phone the layout viewport widens to fit what overflows, so
            # window.innerWidth grows with it: measure against the width asked for
            state["width"] = min(state["width"], width)
            state["overflow"] = state["scroll"] - width
            executed = root / "build/notebooks" / f"{page}.ipynb"
            nb = nbformat.read(executed, as_version=4) if executed.is_file() else None
            problems += _problems(f"{page}.html at {width} px", state, nb)
            if page == "audit" and mobile:
                rows = state["auditRows"]
                assert rows and all(r is not None for r in rows)
                problems += [f"audit.html at {width} px: row {k} shows its status outside "
                             "the window" for k, r in enumerate(rows)
                             if r["width"] == 0 or r["left"] < 0 or r["right"] > width]
            if page in SHOTS:  # the top of the page, then its first table or figure
                name = f"reader_{page.replace('index', 'landing')}_{width}"
                reader.screenshot(SCREENSHOTS / f"{name}.png")
                if reader.evaluate(FIRST_EXHIBIT):
                    reader.screenshot(SCREENSHOTS / f"{name}_exhibit.png")
                assert (SCREENSHOTS / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert problems == []
