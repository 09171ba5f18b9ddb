"""Executed notebooks rendered for teaching without a network, and the offline check of pages.

``make slides`` renders notebook 07 as a reveal.js deck in ``build/slides``
(:func:`render_slides`); ``make html`` builds the companion website
(:mod:`collabcomm.pipeline.site`), which copies KaTeX with :func:`copy_assets` and checks its
pages with :func:`offline_problems`. Both open from a local file with no network: nothing they
load comes from the internet.

nbconvert's own templates load jQuery, require.js, MathJax, mermaid and reveal.js from CDNs. The
companion's template (``templates/collabcomm_slides``) extends nbconvert's and replaces those
blocks: reveal.js and its speaker-notes plugin are plain scripts, and KaTeX typesets the
formulas. Both come from ``vendor/`` in the repository (versions, licences and how they were
obtained: ``vendor/README.md``), and each render copies what it needs beside its pages, into
``<output>/vendor/``, so that the output folder can be copied elsewhere (a USB stick for a
classroom) and still works.

After writing a page, the render checks it (:func:`offline_problems`) and refuses to finish if
the page would load anything from the network or names a local file that is not there.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..errors import RenderError
from ..outputs import write_text
from ..paths import package_dir, project

__all__ = [
    "VENDOR_FOLDER",
    "TEMPLATES",
    "copy_assets",
    "asset_references",
    "offline_problems",
    "PAPER",
    "title_slide",
    "closing_slide",
    "slide_notebook",
    "render_slides",
]

VENDOR_FOLDER = "vendor"
"""Name of the folder, beside each rendered page, that holds the copied assets."""

TEMPLATES = package_dir() / "templates"
"""The companion's nbconvert template (an extension of nbconvert's ``reveal``)."""

#: Vendored packages each kind of output loads (folders of ``vendor/``): the website ("html")
#: and the slides.
ASSETS = {"html": ("katex",), "slides": ("reveal.js", "katex")}

# (tag, attribute) pairs whose URL the browser fetches while loading the page
_LOADING_ATTRS = {
    ("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("embed", "src"),
    ("object", "data"), ("video", "src"), ("video", "poster"), ("audio", "src"),
    ("source", "src"), ("track", "src"), ("input", "src"), ("frame", "src"),
}
_SRCSET_TAGS = {"img", "source"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_JS_REMOTE = re.compile(r"""(['"`])((?:https?:)?//[^'"`\s]+)\1""")


def copy_assets(dest: str | os.PathLike, names: tuple[str, ...] | list[str],
                root: str | os.PathLike | None = None) -> list[Path]:
    """Copy vendored packages from the repository's ``vendor/`` to ``dest/vendor/``.

    Parameters
    ----------
    dest : path-like
        Folder of the rendered pages; the copies go to its ``vendor/`` subfolder.
    names : sequence of str
        Folders of ``vendor/`` to copy, e.g. ``("reveal.js", "katex")``.
    root : path-like, optional
        Project root (default: :func:`collabcomm.paths.project`'s).

    Returns
    -------
    list of Path
        Every file copied, sorted.

    Raises
    ------
    RenderError
        If a named folder is not in ``vendor/``.

    Examples
    --------
    >>> copy_assets("build/slides", ["katex"])[0].name  # doctest: +SKIP
    'LICENSE'
    """
    source = project(root).vendor
    target = Path(dest) / VENDOR_FOLDER
    copied = []
    for name in names:
        src = source / name
        if not src.is_dir():
            raise RenderError(f"{src} is missing: the slides and pages load {name} from the "
                              "repository's vendor/ folder (restore it with `git checkout -- "
                              "vendor`; vendor/README.md says how it was made)")
        shutil.copytree(src, target / name, dirs_exist_ok=True)
        copied += [target / name / p.relative_to(src) for p in src.rglob("*") if p.is_file()]
    return sorted(copied)


class _References(HTMLParser):
    """Collect the URLs an HTML document loads (see :func:`asset_references`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in _LOADING_ATTRS and value.strip():
                self.refs.append((f"<{tag} {name}>", value.strip()))
            elif name == "srcset" and tag in _SRCSET_TAGS:
                for part in value.split(","):
                    if part.strip():
                        self.refs.append((f"<{tag} srcset>", part.split()[0]))
            elif name == "style":
                self.refs += [(f"<{tag} style>", u) for u in _css_urls(value)]
        self._in = tag if tag in ("style", "script") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.refs += [("<style>", u) for u in _css_urls(data)]
        elif self._in == "script":
            self.refs += [("<script> text", m.group(2)) for m in _JS_REMOTE.finditer(data)]


def _css_urls(css: str) -> list[str]:
    return [(m.group(2) or m.group(4)).strip() for m in _CSS_URL.finditer(css)]


def asset_references(html: str) -> list[tuple[str, str]]:
    """Every URL an HTML document makes the browser load, with where it appears.

    Parameters
    ----------
    html : str
        The document's text.

    Returns
    -------
    list of (str, str)
        ``(where, url)`` pairs in document order. ``where`` names the tag and attribute
        (``"<script src>"``, ``"<link href>"``, ``"<img src>"``, ...), an inline stylesheet's
        ``url()`` or ``@import`` (``"<style>"``, ``"<div style>"``), or a quoted absolute or
        protocol-relative URL in an inline script (``"<script> text"``, e.g. a dynamic
        ``import("https://...")``). Hyperlinks (``<a href>``) are not loaded and not listed;
        ``data:`` URIs are listed (they load nothing).

    Examples
    --------
    >>> asset_references('<script src="https://cdn.example/x.js"></script>'
    ...                  '<a href="https://example.org">a link</a><img src="power_curve.png">')
    [('<script src>', 'https://cdn.example/x.js'), ('<img src>', 'power_curve.png')]
    """
    parser = _References()
    parser.feed(html)
    parser.close()
    return parser.refs


def _is_remote(url: str) -> bool:
    parts = urlsplit(url)
    return url.startswith("//") or parts.scheme not in ("", "data", "blob", "about", "javascript")


def offline_problems(page: str | os.PathLike) -> list[str]:
    """What would stop a rendered page from working without a network.

    Checks every URL of :func:`asset_references`: an absolute URL (``https://``, ``http://``,
    protocol-relative ``//``, or any other scheme but ``data:``) is a problem; a relative URL
    must name an existing file beside the page. Local stylesheets the page loads are checked
    for absolute URLs in their own ``url()`` and ``@import`` too.

    Parameters
    ----------
    page : path-like
        An HTML file.

    Returns
    -------
    list of str
        One message per problem, naming the page, the URL and where it appears; empty when the
        page works offline.

    Examples
    --------
    >>> offline_problems("build/slides/07_classroom_power.slides.html")  # doctest: +SKIP
    []
    """
    page = Path(page)
    problems = []
    for where, url in asset_references(page.read_text(encoding="utf-8")):
        if _is_remote(url):
            problems.append(f"{page.name}: {where} loads {url} from the network")
            continue
        if urlsplit(url).scheme:  # data:, blob:, about:, javascript:
            continue
        path = unquote(urlsplit(url).path)
        if not path:  # a fragment or query of the page itself
            continue
        target = (page.parent / path)
        if not target.is_file():
            problems.append(f"{page.name}: {where} names {url}, which is not beside the page "
                            f"({target})")
        elif target.suffix == ".css":
            problems += [f"{page.name}: stylesheet {url} loads {u} from the network"
                         for u in _css_urls(target.read_text(encoding="utf-8")) if _is_remote(u)]
    return problems


def _exporter():
    """nbconvert's slides exporter with the companion's template."""
    from nbconvert import SlidesExporter

    return SlidesExporter(template_name="collabcomm_slides",
                          extra_template_basedirs=[str(TEMPLATES)],
                          extra_template_paths=[str(TEMPLATES)],
                          reveal_url_prefix=f"{VENDOR_FOLDER}/reveal.js", reveal_theme="white",
                          reveal_scroll=True, reveal_width="1280", reveal_height="720",
                          exclude_input_prompt=True, exclude_output_prompt=True)


def _write_checked(path: Path, body: str) -> Path:
    write_text(path, body)
    problems = offline_problems(path)
    if problems:
        raise RenderError(f"{path} would not work offline:\n  " + "\n  ".join(problems))
    return path


PAPER = "Collaborative community among professionals"
"""The paper the decks teach from (paper 001, cited by its title)."""

_QUESTION = re.compile(r"^#\s+(?:\d+\s*·\s*)?(.+?)\s*$", re.M)
_TAKE_HOME = re.compile(r"\*\*Take-home:\*\*\s*(.+?)(?:\n\s*\n|\Z)", re.S)


def title_slide(nb) -> str:
    """Markdown of a deck's title slide: the notebook's question (its first heading, without
    the ``NN ·`` prefix) and the paper it teaches from."""
    question = next((m.group(1) for c in nb.cells if c.cell_type == "markdown"
                     for m in [_QUESTION.search(c.source)] if m), "")
    return (f"# {question}\n\nA classroom companion to *{PAPER}* (paper 001): its data, "
            "its models and what a study of its size can detect.")


def closing_slide(nb) -> str:
    """Markdown of a deck's closing slide: every "**Take-home:**" line of the notebook, in
    order, under "What to take home"."""
    points = [" ".join(m.group(1).split()) for c in nb.cells if c.cell_type == "markdown"
              for m in _TAKE_HOME.finditer(c.source)]
    points = [p[:1].upper() + p[1:] for p in points]
    return "## What to take home\n\n" + "\n".join(f"- {p}" for p in points)


def slide_notebook(nb):
    """A copy of an executed notebook prepared for the slides.

    The parameter cells (the one tagged ``parameters`` and papermill's ``injected-parameters``
    copy) are marked ``skip``, and ``stderr`` streams (progress bars, warnings) are removed.
    Every other cell, its slideshow metadata and its outputs are kept. A title slide
    (:func:`title_slide`) opens the deck and a closing slide (:func:`closing_slide`) ends it.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    nbformat.NotebookNode
        The prepared copy; ``nb`` itself is not changed.
    """
    import copy

    import nbformat

    out = copy.deepcopy(nb)
    slide = {"slideshow": {"slide_type": "slide"}}
    out.cells.insert(0, nbformat.v4.new_markdown_cell(title_slide(nb), metadata=copy.deepcopy(slide)))
    out.cells.append(nbformat.v4.new_markdown_cell(closing_slide(nb), metadata=copy.deepcopy(slide)))
    for cell in out.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    return out


def render_slides(notebook: str = "07_classroom_power",
                  root: str | os.PathLike | None = None) -> Path:
    """Render an executed notebook as a reveal.js deck that works offline.

    Reads ``build/notebooks/<notebook>.ipynb`` (run it first: ``make slides`` does), prepares it
    with :func:`slide_notebook`, writes ``build/slides/<notebook>.slides.html`` with the
    companion's reveal template, and copies reveal.js and KaTeX into ``build/slides/vendor/``.
    Code cells show their outputs on the slides and their source in the speaker notes (key S).

    Parameters
    ----------
    notebook : str
        Stem of the executed notebook.
    root : path-like, optional
        Project root.

    Returns
    -------
    Path
        The deck.

    Raises
    ------
    RenderError
        If the executed notebook is missing, a vendored asset is missing, or the deck would
        load anything from the network (:func:`offline_problems`).
    """
    import nbformat

    paths = project(root)
    source = paths.executed / f"{notebook}.ipynb"
    if not source.is_file():
        raise RenderError(f"{source} does not exist: run the notebook first "
                          f"(python -m collabcomm run --only {notebook[:2]})")
    from .live import copy_live_assets, live_outputs

    copy_assets(paths.slides, ASSETS["slides"], root=paths.root)
    copy_live_assets(paths.slides, root=paths.root)
    nb = live_outputs(slide_notebook(nbformat.read(source, as_version=4)), notebook)
    from .provenance import describe

    body, _ = _exporter().from_notebook_node(  # the deck names the code it was built from
        nb, resources={"collabcomm_vendor": VENDOR_FOLDER, "collabcomm_build": describe()})
    return _write_checked(paths.slides / f"{notebook}.slides.html", body)
