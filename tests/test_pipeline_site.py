"""The companion website (collabcomm.pipeline.site): built by ``make html`` with Sphinx, myst-nb
and the book theme from the executed notebooks, and tested in a real browser.

Three kinds of test:

* on small hand-made notebooks: the page title, the site's copy of a notebook (its title, the
  reproduce box, the section labels, progress bars dropped), which figure belongs to which
  section, the offline check of a whole site;
* on the shared pipeline run (conftest.py's ``full_run``, a temporary copy of the project): the
  website built from it. The menu follows the argument and names each page by its question; the
  landing page's counts and the audit page's rows are those of ``data/derived/audit.csv``; the
  gallery shows every figure of ``figures/`` and links to the section that draws it (the section
  really shows those bytes); every page has its reproduce box; nothing is loaded from the
  network;
* in headless Chromium with the network off (tests/browser.py; skipped, saying why, when Debian's
  ``chromium`` is not installed): every page is loaded from its file and fails the test on a
  broken link or image, a script or console error, a failed or remote request, or a missing main
  heading; the formulas are typeset by the local KaTeX; the audit page's filters work. Screenshots
  of the landing page and the audit page go to ``build/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
import shlex
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from browser import Browser, chromium, needs_chromium
from bs4 import BeautifulSoup

from collabcomm import pipeline
from collabcomm.errors import RenderError
from collabcomm.pipeline import pages, site
from collabcomm.pipeline.cli import _parser
from collabcomm.pipeline.params import load_specs, parse_overrides

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"
ARGUMENT = ["weber_typology", "instrument", "school_data", "regressions", "item_analysis",
            "reproducibility_audit", "classroom_power"]
"""The argument's order: typology, instrument, schools, regressions, items, audit, classroom."""

PNG = base64.b64decode(  # a 1 x 1 PNG
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5Er"
    "kJggg==")


def _tiny(title: str = "# 04 · Does it hold? (Exhibit 4)"):
    nb = nbformat.v4.new_notebook()
    image = nbformat.v4.new_output("display_data", data={
        "image/png": base64.b64encode(PNG).decode(), "text/plain": "<Image>"},
        metadata={"image/png": {"alt": "Power by schools"}})
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"{title}\n\n**The question.** Does it?"),
        nbformat.v4.new_code_cell("n = 26  # schools", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_markdown_cell("## 1. First\n\nText.\n### In numbers"),
        nbformat.v4.new_code_cell("show()", outputs=[
            nbformat.v4.new_output("stream", name="stderr", text=" 40%|####  | 2/5 settings\r"),
            nbformat.v4.new_output("stream", name="stderr", text="UserWarning: 2 rows dropped\n"),
            image]),
        nbformat.v4.new_markdown_cell("Then.\n## 2. Second\n```\n## not a heading\n```"),
    ]
    return nb


# --- a notebook's page -----------------------------------------------------------------------

def test_a_page_is_titled_by_the_notebooks_question():
    assert site.page_title(_tiny(), "04_x") == "Does it hold? (Exhibit 4)"
    assert site.page_title(_tiny("# Fixture: no number"), "01_fixture") == "Fixture: no number"
    assert site.page_title(_tiny("Just text"), "01_fixture") == "01_fixture"


def test_the_sites_copy_has_its_title_box_labels_and_no_progress_bars():
    nb = _tiny()
    before = nbformat.writes(nb)
    out, sections = site.prepare_notebook(nb, "04_x", "BOX")
    assert nbformat.writes(nb) == before  # the executed notebook is not changed
    assert out.cells[0].source.splitlines()[0] == "# Does it hold? (Exhibit 4)"
    assert out.cells[1].source == "BOX" and out.cells[1].cell_type == "markdown"
    assert sections == [(3, "04-x-section-1", "1. First"), (3, "04-x-section-2", "In numbers"),
                        (5, "04-x-section-3", "2. Second")]
    assert out.cells[3].source == ("(04-x-section-1)=\n## 1. First\n\nText.\n\n"
                                   "(04-x-section-2)=\n### In numbers")
    assert "\n\n(04-x-section-3)=\n## 2. Second\n```\n## not a heading\n```" in out.cells[5].source
    outputs = out.cells[4].outputs
    assert [o.get("text") for o in outputs[:-1]] == ["UserWarning: 2 rows dropped\n"]
    assert out.cells[4].metadata["mystnb"] == {"image": {"alt": "Power by schools"}}
    assert len(out.cells) == len(nb.cells) + 1


def test_each_figure_belongs_to_the_section_that_shows_its_bytes(tmp_path):
    nb, sections = site.prepare_notebook(_tiny(), "04_x", "BOX")
    figures = tmp_path / "figures"
    figures.mkdir()
    (figures / "shown.png").write_bytes(PNG)
    (figures / "declared.png").write_bytes(PNG + b"other bytes")
    (figures / "loose.png").write_bytes(PNG + b"more")
    entries = site.figure_entries(figures, {"04_x": (nb, sections, "Does it hold?")},
                                  {"04_x": ("figures/declared*",)})
    assert [e.stem for e in entries] == ["shown", "declared", "loose"]
    shown, declared, loose = entries
    assert (shown.notebook, shown.section, shown.section_title, shown.caption, shown.image) == (
        "04_x", "04-x-section-2", "In numbers", "Power by schools", "figures/shown.png")
    assert (declared.notebook, declared.section, declared.caption) == ("04_x", None, "declared")
    assert (loose.notebook, loose.section, loose.page_title) == (None, None, "")


def test_the_site_is_configured_to_execute_nothing_and_load_katex_locally():
    config = site.sphinx_config()
    assert config["nb_execution_mode"] == "off"
    assert config["html_math_renderer"] == "katex"
    assert config["extensions"] == ["myst_nb", "sphinx_design", "collabcomm.pipeline.site",
                                    "collabcomm.pipeline.live"]
    assert config["html_theme"] == "sphinx_book_theme"
    assert not [f for f in config["html_js_files"] + config["html_css_files"] if "//" in f]


def test_site_problems_names_every_page_that_would_need_the_network(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text('<script src="https://cdn.example.org/x.js"></script>')
    (tmp_path / "sub/page.html").write_text('<img src="../_images/missing.png">')
    (tmp_path / "_static/theme.html").write_text('<script src="https://ignored.example"></script>')
    problems = site.site_problems(tmp_path)
    assert problems == [
        "index.html: <script src> loads https://cdn.example.org/x.js from the network",
        f"sub/page.html: <img src> names ../_images/missing.png, which is not beside the page "
        f"({tmp_path / 'sub/../_images/missing.png'})",
    ]


def test_the_site_needs_executed_notebooks(tmp_path):
    shutil.copytree(REPO / "tests/fixtures/project", tmp_path / "proj")
    with pytest.raises(RenderError, match=r"no executed notebook in .*build/notebooks: run the "
                                          r"notebooks first \(make reproduce\)"):
        site.build_site(tmp_path / "proj")


@pytest.mark.notebooks
def test_the_site_renders_what_papermill_executed_and_stops_on_a_broken_reference(
        tmp_path, monkeypatch):
    from jupyter_client.manager import KernelManager

    root = tmp_path / "proj"
    shutil.copytree(REPO / "tests/fixtures/project", root)
    shutil.copytree(REPO / "vendor", root / "vendor")
    assert pipeline.run(root, progress=False, out=io.StringIO()).ok

    def no_kernel(*args, **kwargs):
        raise AssertionError("the website build started a kernel")

    monkeypatch.setattr(KernelManager, "start_kernel", no_kernel)
    index = site.build_site(root)
    assert index == root / "build/html/index.html"
    page = _soup(root / "build/html/01_fixture.html")
    assert [_text(h) for h in page.select("article h1")] == [
        "Fixture: reads an input, writes one derived file and one figure-like file"]
    command = page.select_one(".admonition.reproduce pre").get_text()
    assert "html --only 01 --force" in command and "-p scale=2.0" in command
    assert "has not run yet" in index.read_text(encoding="utf-8")  # no audit.csv here
    assert (root / "build/html/_static/vendor/katex/katex.min.js").is_file()
    assert site.site_problems(root / "build/html") == []
    # a cross-reference to nowhere is a warning, and a warning stops the build
    executed = root / "build/notebooks/01_fixture.ipynb"
    nb = nbformat.read(executed, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("See {ref}`nowhere-at-all`."))
    nbformat.write(nb, executed)
    with pytest.raises(RenderError, match=r"did not build cleanly(.|\n)*nowhere-at-all"):
        site.build_site(root)
    nb.cells.pop()
    # a line MyST reads as a comment is text lost from the page, and lost text stops the build
    nb.cells.append(nbformat.v4.new_markdown_cell("Baseline API and\n% SED are collinear."))
    nbformat.write(nb, executed)
    with pytest.raises(RenderError, match=r"missing from their pages(.|\n)*% SED are collinear"):
        site.build_site(root)
    nb.cells.pop()
    nbformat.write(nb, executed)
    shutil.rmtree(root / "vendor")
    with pytest.raises(RenderError, match="vendor/katex is missing"):
        site.build_site(root)


# --- the website of the full pipeline run ------------------------------------------------------

@pytest.fixture(scope="module")
def built(built_site):
    return built_site  # the site of the shared run of every notebook (conftest.py)


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ").replace("#", " ").split())


def _audit_rows(root: Path) -> list[dict[str, str]]:
    with open(root / "data/derived/audit.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.notebooks
def test_the_menu_follows_the_argument_and_names_each_page_by_its_question(built):
    root, html = built
    nav = _soup(html / "index.html").select("nav.bd-docs-nav a.reference.internal")
    links = [(a["href"], _text(a)) for a in nav]
    stems = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [s.split("_", 1)[1] for s in stems] == ARGUMENT
    questions = [site.page_title(nbformat.read(root / "notebooks" / f"{s}.ipynb", as_version=4), s)
                 for s in stems]
    assert links[1:] == ([(f"{s}.html", q) for s, q in zip(stems, questions, strict=True)]
                         + [("audit.html", "Every checked number: the audit"),
                            ("gallery.html", "Figure gallery")])
    for stem, question in zip(stems, questions, strict=True):
        assert question.endswith("?") or "?" in question, question  # a question, not a file name
        assert stem not in question
        heads = _soup(html / f"{stem}.html").select("article h1")
        assert [_text(h) for h in heads] == [question]


@pytest.mark.notebooks
def test_the_landing_page_says_what_audit_csv_says(built):
    root, html = built
    rows = _audit_rows(root)
    page = _text(_soup(html / "index.html").select_one("article"))
    assert "What the two papers argue." in page and "published nowhere by the project" in page
    labels = {"match": "match", "differs": "differs", "inconsistent": "inconsistent",
              "not_checkable": "not checkable"}
    tally = {}
    for r in rows:
        tally[r["status"]] = tally.get(r["status"], 0) + 1
    said = ", ".join(f"{n} {labels[s]}" for s, n in sorted(
        tally.items(), key=lambda t: list(labels).index(t[0])))
    assert f"checked {len(rows)} published numbers and claims" in page
    assert said in page
    table = _soup(html / "index.html").select_one("article table")
    for tr in table.select("tbody tr"):
        cells = [_text(td) for td in tr.select("td")]
        exhibit = tr.select_one("a")["href"].rsplit("audit-exhibit-", 1)[1]
        mine = [r for r in rows if r["exhibit"] == exhibit]
        assert int(cells[1]) == len(mine)
        assert int(cells[2]) == sum(r["status"] == "match" for r in mine)


@pytest.mark.notebooks
def test_the_audit_page_lists_every_row_of_audit_csv(built):
    root, html = built
    rows = _audit_rows(root)
    soup = _soup(html / "audit.html")
    shown, sections = [], []
    for table in soup.select("table.audit-table"):
        sections.append(_text(table.find_parent("section").find("h2")))
        head = [_text(th) for th in table.select("thead th")]
        assert head == ["check", "quantity", "published", "reproduced", "status", "note"]
        shown += [tuple(" ".join(td.get_text(" ").split()) for td in tr.select("td"))
                  for tr in table.select("tbody tr")]
    status = {"not_checkable": "not checkable"}

    def expected(r):
        # the text in words (audit.in_words) and e-notation as printed (scientific_text)
        import pandas as pd

        from collabcomm import audit
        from collabcomm.present.tables import scientific_text

        w = audit.in_words(pd.DataFrame([r]).drop(columns="status")).iloc[0]
        return (r["check"], *(" ".join(scientific_text(str(w[c])).split())
                              for c in ("quantity", "published", "reproduced")),
                status.get(r["status"], r["status"]), " ".join(scientific_text(w["note"]).split()))

    # grouped by exhibit (in the order the file first names them), the file's order within each
    order = list(dict.fromkeys(r["exhibit"] for r in rows))
    assert shown == [expected(r) for e in order for r in rows if r["exhibit"] == e]
    assert sections == [pages.EXHIBIT_TITLES[e] for e in order]


@pytest.mark.notebooks
def test_the_gallery_shows_every_figure_and_links_to_the_section_that_draws_it(built):
    root, html = built
    figures = sorted((root / "figures").glob("*.png"))
    cards = _soup(html / "gallery.html").select(".sd-card")
    assert len(cards) == len(figures) > 10
    seen = set()
    for card in cards:
        img = card.select_one("img")
        data = (html / img["src"]).read_bytes()
        stem = _text(card.select_one("code"))
        assert data == (root / "figures" / f"{stem}.png").read_bytes(), stem
        assert _text(card.select_one(".sd-card-title")) and img["alt"], stem
        target, _, anchor = card.select_one("a.sd-stretched-link")["href"].partition("#")
        assert anchor, f"{stem} links to no section"
        page = (html / target).read_text(encoding="utf-8")
        # the linked section shows the figure itself (myst-nb names an output by its SHA-256)
        start = page.index(f'id="{anchor}"')
        nxt = re.search(r'<section id="|<span id="[^"]*-section-\d+"', page[start + 10:])
        section = page[start: start + 10 + (nxt.start() if nxt else len(page))]
        assert f"_images/{hashlib.sha256(data).hexdigest()}.png" in section, stem
        seen.add(stem)
    assert seen == {f.stem for f in figures}


@pytest.mark.notebooks
def test_every_page_has_its_reproduce_box(built):
    root, html = built
    specs = load_specs(root / "notebooks/params.yaml")
    for stem, spec in specs.items():
        box = _soup(html / f"{stem}.html").select_one(".admonition.reproduce")
        assert box is not None and "Reproduce this page" in _text(box), stem
        command = box.select_one("pre").get_text()
        args = _parser().parse_args(shlex.split(command.replace("\\\n", " "))[3:])
        assert args.command == "html" and args.only == [stem[:2]] and args.force
        executed = nbformat.read(root / "build/notebooks" / f"{stem}.ipynb", as_version=4)
        given = parse_overrides(args.param)  # text, read by each parameter's declared type
        assert ({k: spec.parameters[k].coerce(v, stem) for k, v in given.items()}
                == executed.metadata.papermill.parameters)
        assert set(parse_overrides(args.param)) == set(spec.parameters)
        rows = box.select("table tbody tr")
        assert [_text(tr.select_one("td")) for tr in rows] == list(parse_overrides(args.param))
    for page, needle in (("index.html", "html --only 06 --force"),
                         ("audit.html", "html --only 06 --force"),
                         ("gallery.html", "collabcomm html --force")):
        box = _soup(html / page).select_one(".admonition.reproduce")
        assert needle in box.select_one("pre").get_text(), page


@pytest.mark.notebooks
def test_the_site_loads_nothing_from_the_network(built):
    _, html = built
    assert site.site_problems(html) == []
    page = _soup(html / "07_classroom_power.html")
    loads = [t.get("src") or t.get("href") for t in page.select("script[src], link[href]")]
    assert loads and all(not re.match(r"(https?:)?//", u) for u in loads)
    assert [u.split("?")[0] for u in loads if "katex" in u] == [
        "_static/vendor/katex/katex.min.css", "_static/vendor/katex/katex.min.js",
        "_static/vendor/katex/contrib/auto-render.min.js"]
    assert not (html / "_static/vendor/reveal.js").exists()  # the site needs KaTeX only


# --- provenance, citation and downloads ---------------------------------------------------------

def _links(page: Path) -> list[str]:
    return [a["href"] for a in _soup(page).select("article a[href]")]


@pytest.mark.notebooks
def test_every_page_names_the_version_and_commit_and_no_placeholder_author(built):
    from collabcomm.pipeline.provenance import describe, git_commit

    _, html = built
    assert site.sphinx_config()["author"] == "collabcomm contributors"
    stamp = f"Built from {describe()}."
    assert f"commit {git_commit().short}" in stamp
    for page in _site_pages(html):
        text = page.read_text(encoding="utf-8")
        foot = _soup(page).select_one("footer .build-stamp")
        assert foot is not None and stamp in _text(foot), page.name
        assert "the collabcomm companion" not in text.lower(), page.name
        assert "By collabcomm contributors" in " ".join(BeautifulSoup(
            text, "html.parser").get_text(" ").split()), page.name


@pytest.mark.notebooks
def test_the_landing_page_tells_the_story_first(built):
    from collabcomm.pipeline import front

    root, html = built
    page = _soup(html / "index.html")
    first = page.select_one(".front")  # the first screen
    text = _text(first)
    assert "What the papers claim." in text and "make reproduce" in text
    assert "collabcomm run --only 06 --force" in text
    findings = front.readme_findings((REPO / "README.md").read_text(encoding="utf-8"))
    items = first.select("li")
    for f in findings:
        item = next(li for li in items if _text(li).startswith(f.lead))
        stem, _ = front.FINDING_SECTIONS[f.lead]
        target, _, anchor = item.select_one("a")["href"].partition("#")
        assert target == f"{stem}.html" and re.fullmatch(r"[\w-]+-section-\d+", anchor), f.lead
        assert _soup(html / target).find(id=anchor) is not None, f.lead
        assert " ".join(front.first_sentence(f.text).replace("`", "").split())[:40] in _text(item)
    downloads = {_text(a): a["href"] for a in first.select("a.download")}
    assert (html / downloads["audit.csv"]).read_bytes() == \
        (root / "data/derived/audit.csv").read_bytes()
    assert downloads["data/derived as a zip"].endswith(".zip")
    cite = _text(first.select_one(".admonition.cite"))
    for needle in ("collabcomm contributors", "An organization design for collaborative purpose",
                   "Collaboration as an Organization Design for Shared Purpose",
                   "10.1108/S0733-558X20180000057004",
                   "collaborative community among professionals (n.d.)"):
        assert needle in cite, needle
    # the browser's title is not the site's name twice
    title = _text(page.select_one("title"))
    assert title.count("Collaborative community: a reproducible companion") == 1


@pytest.mark.notebooks
def test_every_notebook_page_links_its_notebook_and_the_files_it_wrote(built):
    import json

    root, html = built
    for stem in load_specs(root / "notebooks/params.yaml"):
        links = {Path(unquote(h)).name: h for h in _links(html / f"{stem}.html")
                 if "_downloads/" in h}
        assert (html / links[f"{stem}.ipynb"]).read_bytes() == \
            (root / "build/notebooks" / f"{stem}.ipynb").read_bytes(), stem
        written = json.loads((root / "build/stamps" / f"{stem}.json").read_text())["outputs"]
        assert written, stem
        for rel in written:
            name = Path(rel).name
            assert (html / links[name]).read_bytes() == (root / rel).read_bytes(), (stem, rel)


@pytest.mark.notebooks
def test_the_gallery_links_each_figures_png_and_svg(built):
    root, html = built
    for card in _soup(html / "gallery.html").select(".sd-card"):
        stem = _text(card.select_one("code"))
        got = {_text(a): a["href"] for a in card.select("a.download")}
        assert set(got) == {"PNG", "SVG"}, stem
        for kind, href in got.items():
            assert (html / unquote(href)).read_bytes() == \
                (root / "figures" / f"{stem}.{kind.lower()}").read_bytes(), stem


@pytest.mark.notebooks
def test_every_download_link_is_relative_and_resolves(built):
    import zipfile

    root, html = built
    count = 0
    for page in _site_pages(html):
        for a in _soup(page).select("a.download"):
            href = a["href"]
            assert not urlsplit(href).scheme and not href.startswith("/"), (page.name, href)
            assert (page.parent / unquote(href)).is_file(), (page.name, href)
            count += 1
    assert count > 50
    zipped = next(html.glob("_downloads/*/collabcomm-data-derived.zip"))
    with zipfile.ZipFile(zipped) as zf:
        derived = sorted(p.relative_to(root).as_posix()
                         for p in (root / "data/derived").rglob("*") if p.is_file())
        assert [n for n in zf.namelist() if n.startswith("data/derived/")] == derived
        for name in derived:
            assert zf.read(name) == (root / name).read_bytes(), name
        assert {"CITATION.cff", "LICENSE", "data/README.md"} <= set(zf.namelist())


# --- in a browser with the network off -----------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    with Browser(chromium(), width=1366, height=1100) as b:
        yield b


PAGE_STATE = """(() => {
  const main = document.querySelector('main article') || document.querySelector('main');
  const heads = main ? Array.from(main.querySelectorAll('h1')) : [];
  return {
    heads: heads.filter(h => h.offsetParent !== null)
                .map(h => h.textContent.replace('#', '').trim()),
    brokenImages: Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)
                       .map(i => i.getAttribute('src')),
    links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
    ids: Array.from(document.querySelectorAll('[id]')).map(e => e.id),
    math: document.querySelectorAll('.math').length,
    katex: document.querySelectorAll('.math .katex').length,
  };
})()"""


def _site_pages(html: Path) -> list[Path]:
    return [p for p in sorted(html.rglob("*.html"))
            if p.relative_to(html).parts[0] not in ("_static", "_sources", "_images")]


@needs_chromium
@pytest.mark.notebooks
def test_every_page_works_offline_in_a_browser(built, browser):
    root, html = built
    pages = _site_pages(html)
    stems = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in pages) == sorted(
        [f"{s}.html" for s in stems] + ["index.html", "audit.html", "gallery.html", "search.html"])
    ids, links, problems = {}, [], []
    for page in pages:
        browser.open(page.as_uri())
        browser.wait_for("document.fonts.status === 'loaded'")
        if page.name in ("index.html", "audit.html"):
            browser.screenshot(SCREENSHOTS / f"site_{page.stem.replace('index', 'landing')}.png")
        state = browser.evaluate(PAGE_STATE)
        log = browser.log()
        name = page.relative_to(html).as_posix()
        problems += [f"{name}: {what}" for what in
                     [f"remote request {u}" for u in log.remote_requests()]
                     + [f"failed load {f}" for f in log.failed]
                     + [f"script or console error {e}" for e in log.errors]
                     + [f"broken image {s}" for s in state["brokenImages"]]
                     + ([] if len(state["heads"]) == 1 and state["heads"][0]
                        else [f"main headings {state['heads']} (one expected)"])
                     + ([] if state["katex"] == state["math"]
                        else [f"{state['math'] - state['katex']} formulas not typeset"])]
        ids[page.as_uri()] = set(state["ids"])
        links += [(name, u) for u in state["links"]]
    for name, url in links:
        parts = urlsplit(url)
        if parts.scheme != "file":
            if not url.startswith("https://doi.org/"):  # a cited work's DOI may leave it
                problems.append(f"{name}: link {url} leaves the site")
            continue
        target = Path(unquote(parts.path))
        if not target.exists():
            problems.append(f"{name}: broken link {url}")
        elif parts.fragment and target.suffix == ".html" and target.as_uri() in ids \
                and unquote(parts.fragment) not in ids[target.as_uri()]:
            problems.append(f"{name}: link {url} names no element of its page")
    assert problems == []
    for shot in ("site_landing.png", "site_audit.png"):
        data = (SCREENSHOTS / shot).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, shot


@needs_chromium
@pytest.mark.notebooks
def test_formulas_are_typeset_by_the_local_katex(built, browser):
    _, html = built
    browser.open((html / "04_regressions.html").as_uri())
    assert browser.wait_for("document.querySelectorAll('.math .katex').length >= 1 && "
                            "document.fonts.status === 'loaded' && "
                            "document.fonts.check('16px KaTeX_Main')")
    text = browser.evaluate("document.querySelector('main').innerText")
    assert "\\text{API}" not in text and "\\(" not in text
    local = [u for u in browser.log().requests if u.startswith("file:")]
    assert any("_static/vendor/katex/katex.min.js" in u for u in local)
    assert any("_static/vendor/katex/fonts/KaTeX_Main-Regular.woff2" in u for u in local)
    assert browser.log().remote_requests() == []


COUNT = ("document.querySelector('.audit-count') && "
         "document.querySelector('.audit-count').textContent")
VISIBLE = ("Array.from(document.querySelectorAll('table.audit-table tbody tr'))"
           ".filter(tr => tr.offsetParent !== null)")


@needs_chromium
@pytest.mark.notebooks
def test_the_audit_page_filters_by_status_and_by_exhibit(built, browser):
    root, html = built
    rows = _audit_rows(root)
    page = (html / "audit.html").as_uri()
    browser.open(page)
    assert browser.wait_for(COUNT)
    assert browser.evaluate(COUNT) == f"Showing {len(rows)} of {len(rows)} rows."
    labels = browser.evaluate("Array.from(document.querySelectorAll('.audit-filter input'))"
                              ".map(i => i.parentNode.textContent.trim())")
    statuses = {"match": 0, "differs": 0, "inconsistent": 0, "not_checkable": 0}
    for r in rows:
        statuses[r["status"]] += 1
    assert labels == [f"{s.replace('_', ' ')} ({n})" for s, n in statuses.items() if n]
    # in the address: only the inconsistent rows of Exhibit 4
    browser.open(page + "?status=inconsistent&exhibit=4")
    assert browser.wait_for(COUNT)
    want = [r for r in rows if r["status"] == "inconsistent" and r["exhibit"] == "4"]
    assert browser.evaluate(COUNT) == f"Showing {len(want)} of {len(rows)} rows."
    shown = browser.evaluate(f"{VISIBLE}.map(tr => [tr.cells[1].textContent.trim(), "
                             "tr.cells[4].textContent.trim()])")
    from collabcomm.audit import quantity_in_words

    assert shown == [[" ".join(quantity_in_words(r["quantity"]).split()), "inconsistent"]
                     for r in want]  # in words, as the page shows them
    # by hand: every status ticked, the text claims
    browser.evaluate("document.querySelectorAll('.audit-filter input')"
                     ".forEach(i => i.checked = true);"
                     "const s = document.querySelector('.audit-filter select'); s.value = 'text';"
                     "s.dispatchEvent(new Event('change', {bubbles: true}))")
    text = [r for r in rows if r["exhibit"] == "text"]
    assert browser.evaluate(COUNT) == f"Showing {len(text)} of {len(rows)} rows."
    assert browser.evaluate(f"{VISIBLE}.length") == len(text)
    log = browser.log()
    assert log.errors == [] and log.failed == [] and log.remote_requests() == []


@needs_chromium
@pytest.mark.notebooks
def test_the_landing_page_fits_a_phone(built):
    _, html = built
    with Browser(chromium(), width=390, height=844) as phone:
        phone.open((html / "index.html").as_uri())
        phone.wait_for("document.fonts.status === 'loaded'")
        shot = phone.screenshot(SCREENSHOTS / "site_landing_390.png")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert phone.log().errors == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_chromium
@pytest.mark.notebooks
def test_a_gallery_cards_download_links_can_be_clicked(built, browser):
    _, html = built
    browser.open((html / "gallery.html").as_uri())
    # each link, not the card's stretched link to its section, is what a click there reaches
    hits = browser.evaluate("""Array.from(document.querySelectorAll('.sd-card a.download'))
      .map(a => { a.scrollIntoView({block: 'center'}); const r = a.getBoundingClientRect();
                  const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                  return e === a || a.contains(e); })""")
    assert hits and all(hits), hits
