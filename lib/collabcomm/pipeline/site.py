"""The companion website: Sphinx, myst-nb and the book theme over the executed notebooks.

``make html`` (``python -m collabcomm html``) runs what is stale, then :func:`build_site`:

1. writes the site's sources to ``build/site/`` (:func:`write_sources`): a copy of each executed
   notebook of ``build/notebooks/``, titled by its question and carrying a "Reproduce this" box
   (:func:`prepare_notebook`); the landing page, the figure gallery and the audit page
   (:mod:`~collabcomm.pipeline.pages`, from ``data/derived/audit.csv`` and ``figures/``); a
   ``build/site/conf.py`` (:func:`sphinx_config`); the site's stylesheet and scripts
   (``templates/site/``) and KaTeX from ``vendor/``;
2. builds them with Sphinx into ``build/html/``. myst-nb renders the notebooks as papermill
   executed them (``nb_execution_mode = "off"``): the site build executes nothing. Any Sphinx
   warning (a broken cross-reference, a missing image) stops the build;
3. checks every page (:func:`site_problems`): nothing may be loaded from the network, and
   every local file a page loads must exist.

Math is typeset by KaTeX, copied from the repository's ``vendor/`` into ``_static/vendor/``;
this module is also the Sphinx extension that registers it as the math renderer
(:func:`setup`). The site opens from ``build/html/index.html`` with no network and no server.
"""

from __future__ import annotations

import base64
import copy
import fnmatch
import hashlib
import io
import os
import pprint
import re
import shutil
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..outputs import write_text
from ..paths import package_dir, project
from .cite import citation_file
from .downloads import FOLDER, figure_files, notebook_downloads, write_downloads
from .front import front_screen
from .live import copy_live_assets, live_outputs
from .nbpage import caption_figure, fold_code, lost_lines, parameters_table
from .pages import (
    FigureEntry,
    audit_page,
    gallery_page,
    landing_page,
    reproduce_box,
)
from .provenance import AUTHOR, build_footer, describe
from .render import ASSETS, copy_assets, offline_problems

__all__ = [
    "SITE_TITLE",
    "page_title",
    "prepare_notebook",
    "figure_entries",
    "lost_text",
    "sphinx_config",
    "write_sources",
    "site_problems",
    "build_site",
    "setup",
]

SITE_TITLE = "Collaborative community: a reproducible companion"

STATIC = package_dir() / "templates" / "site"
"""The site's own stylesheet and scripts, and the landing page's prose."""

_TITLE = re.compile(r"^#\s+(?:\d+\s*·\s*)?(.+?)\s*$")
_HEADING = re.compile(r"^(#{2,3})\s+(.+?)\s*#*\s*$")
_PROGRESS = re.compile(r"\d+%\|")


def page_title(nb, stem: str) -> str:
    """A notebook page's title: its first level-1 heading without the ``NN ·`` prefix (each
    notebook's heading is its question), else the notebook's stem."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = _TITLE.match(line)
                if m and line.startswith("# "):
                    return m.group(1)
    return stem


def prepare_notebook(nb, stem: str, box: str, parameters: str | None = None):
    """The site's copy of an executed notebook, and its sections.

    The copy's first heading becomes :func:`page_title`; ``box`` (the reproduce box) follows the
    first markdown cell as a cell of its own; every ``##`` and ``###`` heading gets a label
    (``<stem>-section-<k>``, ``_`` written ``-``) that the gallery links to; progress bars
    (stderr streams such as tqdm's) are dropped; and a figure's text alternative (its output's
    ``alt``) is handed to myst-nb. Outputs are otherwise kept as executed.

    Code is folded (:func:`fold_code`): the parameters cell shows ``parameters`` (the
    "Parameters of this run" table) in place of its code, papermill's injected cell is removed,
    and every other cell's code sits behind a toggle (``hide-input``) unless the notebook tags
    it ``remove-input``. A figure shown by :meth:`collabcomm.present.Page.figure` becomes one
    figure with its numbered caption and a link to its SVG (:func:`caption_figure`).

    Returns
    -------
    (nbformat.NotebookNode, list of (int, str, str))
        The copy, and each section as (index of its cell in the copy, label, heading).
    """
    import nbformat

    out = copy.deepcopy(nb)
    title = page_title(nb, stem)
    first = next((i for i, c in enumerate(out.cells) if c.cell_type == "markdown"), None)
    if first is None:
        out.cells.insert(0, nbformat.v4.new_markdown_cell(f"# {title}"))
        first = 0
    else:
        lines = out.cells[first].source.splitlines()
        at = next((k for k, ln in enumerate(lines) if ln.startswith("# ")), None)
        if at is None:
            lines.insert(0, f"# {title}\n")
        else:
            lines[at] = f"# {title}"
        out.cells[first].source = "\n".join(lines)
    out.cells.insert(first + 1, nbformat.v4.new_markdown_cell(box))
    sections, k, slug = [], 0, stem.replace("_", "-")
    for i, cell in enumerate(out.cells):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr"
                                    and _PROGRESS.search(o.get("text", "")))]
            alts = {o.get("metadata", {}).get("image/png", {}).get("alt") for o in cell.outputs
                    if "image/png" in o.get("data", {})}
            if len(alts) == 1 and None not in alts:  # myst-nb reads an image's alt from here
                cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts.pop()
            fold_code(cell, parameters)
            caption_figure(cell)
            continue
        if cell.cell_type != "markdown" or i == first + 1:
            continue
        lines, fenced = [], False
        for line in cell.source.splitlines():
            fenced ^= line.lstrip().startswith(("```", "~~~"))
            m = None if fenced else _HEADING.match(line)
            if m:
                k += 1
                label = f"{slug}-section-{k}"
                lines += ["", f"({label})="]
                sections.append((i, label, m.group(2)))
            lines.append(line)
        cell.source = "\n".join(lines).lstrip("\n")
    return out, sections


def _images(nb) -> list[tuple[int, bytes, str, str]]:
    """(cell index, PNG bytes, caption, alt text) of every PNG a notebook's outputs show; the
    caption is the numbered one (:meth:`collabcomm.present.Page.figure`), else the alt text."""
    found = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = o.get("data", {}).get("image/png")
            if data:
                meta = o.get("metadata", {}).get("image/png", {})
                alt = meta.get("alt", "")
                found.append((i, base64.b64decode(data), meta.get("caption") or alt, alt))
    return found


def figure_entries(figures: Path, notebooks: dict[str, tuple[Any, list, str]],
                   outputs: dict[str, tuple[str, ...]], *, image_dir: str = "figures"
                   ) -> list[FigureEntry]:
    """The gallery's entries: one per PNG in ``figures``.

    A figure belongs to the section of the notebook whose output shows exactly its bytes
    (the notebooks show the saved file: :func:`collabcomm.figures.save_and_show`); its caption
    is that output's numbered caption (else its text alternative), and its alt text that
    output's. A figure that no output shows is
    attributed to the notebook whose declared ``outputs`` (``notebooks/params.yaml``) match
    it, with no section, and captioned by its file name.

    Parameters
    ----------
    figures : Path
        The folder of PNG files.
    notebooks : dict
        Stem -> (prepared notebook, its sections, its page title), as :func:`prepare_notebook`
        and :func:`page_title` give them, in the site's order.
    outputs : dict
        Stem -> the glob patterns of its declared outputs.
    image_dir : str
        Folder of the PNGs in the site's sources.

    Returns
    -------
    list of FigureEntry
        In the notebooks' order, then in the order each notebook shows them.
    """
    shown = {}
    for stem, (nb, sections, title) in notebooks.items():
        for cell, png, caption, alt in _images(nb):
            heading = [s for s in sections if s[0] <= cell]
            label, section_title = (heading[-1][1], heading[-1][2]) if heading else (None, "")
            shown.setdefault(hashlib.sha256(png).hexdigest(),
                             (stem, cell, caption, alt, label, section_title, title))
    order = {stem: k for k, stem in enumerate(notebooks)}
    entries = []
    for png in sorted(figures.glob("*.png")):
        hit = shown.get(hashlib.sha256(png.read_bytes()).hexdigest())
        if hit:
            stem, cell, caption, alt, label, section_title, title = hit
            key = (order[stem], cell, png.stem)
            caption = caption or png.stem.replace("_", " ")
        else:
            stem = next((s for s, globs in outputs.items() if s in notebooks and any(
                fnmatch.fnmatchcase(f"figures/{png.name}", g) for g in globs)), None)
            key = (order.get(stem, len(order)), 10**9, png.stem)
            caption, alt, label, section_title = png.stem.replace("_", " "), "", None, ""
            title = notebooks[stem][2] if stem else ""
        entries.append((key, FigureEntry(png.stem, f"{image_dir}/{png.name}", caption, stem,
                                         title, label, section_title, alt)))
    return [e for _, e in sorted(entries, key=lambda t: t[0])]


def sphinx_config(build: str | None = None) -> dict[str, Any]:
    """The Sphinx configuration of the site (written to ``build/site/conf.py``); ``build``
    (default: :func:`~collabcomm.pipeline.provenance.describe`) goes to every page's foot."""
    from .. import __version__

    katex = ASSETS["html"][0]
    build = describe() if build is None else build
    return {
        "project": SITE_TITLE,
        "author": AUTHOR,
        "copyright": f"2026 {AUTHOR}",
        "version": __version__,
        "release": __version__,
        "extensions": ["myst_nb", "sphinx_design", "collabcomm.pipeline.site",
                       "collabcomm.pipeline.live"],
        # the downloads are files to copy, not documents (an executed notebook among them)
        "exclude_patterns": ["_build", "**.ipynb_checkpoints", f"{FOLDER}/**"],
        "html_theme": "sphinx_book_theme",
        "html_title": SITE_TITLE,
        # no download button and no copies of the sources: the site's copies of the notebooks
        # carry its reproduce boxes and labels; each page links its executed notebook instead
        "html_theme_options": {"home_page_in_toc": True, "show_toc_level": 2,
                               "use_download_button": False, "use_fullscreen_button": False,
                               "navigation_with_keys": False,
                               "extra_footer": build_footer(build)},
        # one search box: the header's button; the sidebar's own field would be a second
        "html_sidebars": {"**": ["navbar-logo.html", "icon-links.html", "sbt-sidebar-nav.html"]},
        "html_copy_source": False,
        "html_use_index": False,  # no index entries: no empty index page
        "html_domain_indices": False,
        # the theme's default, "", makes its script log an error on every page
        "html_context": {"default_mode": "light"},
        "html_static_path": ["_static"],
        "html_css_files": [f"vendor/{katex}/katex.min.css", "collabcomm.css", "front.css"],
        "html_js_files": [f"vendor/{katex}/katex.min.js",
                          f"vendor/{katex}/contrib/auto-render.min.js",
                          "collabcomm-math.js", "audit-filter.js", "collabcomm-figures.js"],
        "html_math_renderer": "katex",
        "html_show_sourcelink": False,
        "html_last_updated_fmt": None,
        "smartquotes": False,  # text from the pipeline's files appears exactly as written
        "nb_execution_mode": "off",
        "myst_enable_extensions": ["dollarmath", "colon_fence"],
        "myst_heading_anchors": 0,
    }


def _values(nb, stem: str, specs: dict) -> dict[str, Any]:
    """The parameters a notebook ran with: params.yaml's defaults, updated by the values
    papermill recorded in the executed notebook."""
    values = specs[stem].defaults() if stem in specs else {}
    values.update(nb.metadata.get("papermill", {}).get("parameters", {}) or {})
    return values


def write_sources(root: str | os.PathLike | None = None) -> Path:
    """Write the site's sources to ``build/site/`` (emptied first) and return that folder.

    Raises
    ------
    RenderError
        If no notebook has been executed yet, or a vendored asset is missing.
    """
    import nbformat
    import pandas as pd

    from .params import load_specs
    from .plan import discover

    paths = project(root)
    stems = [s for s in discover(paths) if (paths.executed / f"{s}.ipynb").is_file()]
    if not stems:
        raise RenderError(f"no executed notebook in {paths.executed}: run the notebooks first "
                          "(make reproduce)")
    src = paths.build / "site"
    shutil.rmtree(src, ignore_errors=True)
    (src / "_static").mkdir(parents=True)
    copy_assets(src / "_static", ASSETS["html"], root=paths.root)
    copy_live_assets(src / "_static", root=paths.root)
    for f in ("collabcomm.css", "collabcomm-math.js", "audit-filter.js", "front.css",
              "collabcomm-figures.js"):
        shutil.copyfile(STATIC / f, src / "_static" / f)
    specs = load_specs(paths.params_file)
    citation = citation_file(paths.root)
    downloads = write_downloads(paths, src, stems, citation)
    prepared = {}
    for stem in stems:
        nb = nbformat.read(paths.executed / f"{stem}.ipynb", as_version=4)
        values = _values(nb, stem, specs)
        box = (reproduce_box(stem, values, specs, what="this page") + "\n"
               + notebook_downloads(stem, downloads))
        declared = specs[stem].parameters if stem in specs else {}
        site_nb, sections = prepare_notebook(nb, stem, box, parameters_table(values, declared))
        site_nb = live_outputs(site_nb, stem)  # live figures drawn by the vendored vega
        nbformat.write(site_nb, src / f"{stem}.ipynb")
        prepared[stem] = (site_nb, sections, page_title(nb, stem))
    (src / "figures").mkdir()
    for fig in sorted([*paths.figures.glob("*.png"), *paths.figures.glob("*.svg")]):
        shutil.copyfile(fig, src / "figures" / fig.name)
    audit_csv = paths.derived / "audit.csv"
    audit = (pd.read_csv(audit_csv, dtype=str, keep_default_na=False)
             if audit_csv.is_file() else None)
    # the notebook that declares audit.csv among its outputs (notebooks/params.yaml)
    audit_stem = next((s for s in stems if s in specs and any(
        fnmatch.fnmatchcase("data/derived/audit.csv", g) for g in specs[s].outputs)), None)

    def audit_box(what: str) -> str:
        if audit_stem is None:
            return reproduce_box(what=what)
        values = _values(prepared[audit_stem][0], audit_stem, specs)
        return reproduce_box(audit_stem, values, specs, what=what)

    entries = figure_entries(src / "figures", prepared,
                             {s: spec.outputs for s, spec in specs.items()})
    toc = ("::::{toctree}\n:caption: The argument, notebook by notebook\n:maxdepth: 1\n\n"
           + "\n".join(stems) + "\n::::\n\n"
           "::::{toctree}\n:caption: Results\n:maxdepth: 1\n\naudit\ngallery\n::::\n")
    shown = next((e for e in entries if audit_stem and e.notebook == audit_stem), None)
    build = describe()
    write_text(src / "index.md", landing_page(
        audit, box=audit_box("these findings"), toc=toc, figure=shown,
        **front_screen(paths.root, prepared, downloads, citation, build)))
    write_text(src / "audit.md", audit_page(audit, box=audit_box("the audit")))
    write_text(src / "gallery.md", gallery_page(entries, box=reproduce_box(what="the figures"),
                                                files=figure_files(downloads)))
    write_text(src / "conf.py", '"""Sphinx configuration of the companion website, written by '
               'collabcomm.pipeline.site.sphinx_config (do not edit: make html rewrites it)."""\n\n'
               + "".join(f"{k} = {pprint.pformat(v, width=96)}\n"
                         for k, v in sphinx_config(build).items()))
    return src


def site_problems(html: str | os.PathLike) -> list[str]:
    """:func:`collabcomm.pipeline.render.offline_problems` of every page of a built site
    (``_static`` and ``_sources`` left out), each prefixed by the page's path in the site."""
    html = Path(html)
    problems = []
    for page in sorted(html.rglob("*.html")):
        rel = page.relative_to(html)
        if rel.parts[0] in ("_static", "_sources"):
            continue
        problems += [f"{rel.parent / p}" if rel.parent != Path(".") else p
                     for p in offline_problems(page)]
    return problems


def lost_text(html: str | os.PathLike, executed: str | os.PathLike) -> list[str]:
    """Every Markdown line of an executed notebook (in ``executed``) that its page in the built
    site ``html`` does not show in full (:func:`collabcomm.pipeline.nbpage.lost_lines`), as
    ``"<notebook>: <line>"``."""
    import nbformat

    problems = []
    for nb_path in sorted(Path(executed).glob("*.ipynb")):
        page = Path(html) / f"{nb_path.stem}.html"
        if page.is_file():
            nb = nbformat.read(nb_path, as_version=4)
            problems += [f"{nb_path.name}: {line!r}"
                         for line in lost_lines(nb, page.read_text(encoding="utf-8"))]
    return problems


def build_site(root: str | os.PathLike | None = None) -> Path:
    """Build the companion website from the executed notebooks and the pipeline's outputs.

    Writes the sources (:func:`write_sources`), builds them with Sphinx into ``build/html/``
    (emptied first), and checks every page (:func:`site_problems`).

    Parameters
    ----------
    root : path-like, optional
        Project root.

    Returns
    -------
    Path
        The landing page, ``build/html/index.html``.

    Raises
    ------
    RenderError
        If nothing has been executed, Sphinx warns (a broken reference, a missing image: the
        message lists the warnings), or a page would load anything from the network.
    """
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    paths = project(root)
    src = write_sources(paths.root)
    shutil.rmtree(paths.html, ignore_errors=True)
    warnings = io.StringIO()
    # as sphinx-build does: docutils' registries are restored afterwards, so that a second
    # build in the same process starts from a clean state
    with patch_docutils(src), docutils_namespace():
        app = Sphinx(str(src), str(src), str(paths.html), str(src / ".doctrees"), "html",
                     status=io.StringIO(), warning=warnings, freshenv=True)
        app.build(force_all=True)
    problems = [ln for ln in warnings.getvalue().splitlines() if ln.strip()]
    if app.statuscode or problems:
        raise RenderError("the website did not build cleanly (Sphinx):\n  "
                          + "\n  ".join(problems or [f"exit status {app.statuscode}"]))
    problems = site_problems(paths.html)
    if problems:
        raise RenderError(f"{paths.html} would not work offline:\n  " + "\n  ".join(problems))
    problems = lost_text(paths.html, paths.executed)
    if problems:
        raise RenderError("text of the notebooks is missing from their pages (MyST read it as "
                          "markup: e.g. a line starting with '%' is a comment); rewrite these "
                          "lines:\n  " + "\n  ".join(problems))
    return paths.html / "index.html"


def setup(app) -> dict[str, Any]:
    r"""Sphinx extension: KaTeX as the HTML math renderer (``html_math_renderer = "katex"``).

    Formulas are written as Sphinx's MathJax support writes them (``\(...\)`` in
    ``span.math``, ``\[...\]`` in ``div.math``); ``collabcomm-math.js`` typesets them with
    the vendored KaTeX when the page loads, and nothing is fetched from the network.
    """
    from sphinx.ext import mathjax

    app.setup_extension("sphinx.ext.mathjax")
    app.add_html_math_renderer("katex", inline_renderers=(mathjax.html_visit_math, None),
                               block_renderers=(mathjax.html_visit_displaymath, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
