"""Live figures (:mod:`collabcomm.live`) on the website and in the slides, with no network.

A notebook shows a live figure as a Vega-Lite output (``application/vnd.vegalite.v5+json``),
which JupyterLab draws itself. Sphinx and nbconvert do not draw that output type, so before
rendering, :func:`live_outputs` turns each one into HTML: an empty ``div`` and the
specification in a ``<script type="application/json">`` beside it. The glue script
(``templates/live/collabcomm-live.js``) draws each with vega-embed, which, with vega and
vega-lite, is vendored in ``vendor/vega/`` (``vendor/README.md``) and copied beside the pages
(:func:`copy_live_assets`). The specification's ``$schema`` URL is dropped: vega-embed is told
the mode, and the page names no address on the internet.

The website loads these scripts only on the pages that have a live figure (:func:`setup`, a
Sphinx extension); the slides load them from their template (``live.j2``, beside the slides'
template in ``lib/collabcomm/templates/``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from html import escape
from pathlib import Path

from ..errors import RenderError
from ..live import VEGALITE_MIME
from ..paths import package_dir, project

__all__ = ["LIVE_VENDOR", "LIVE_SCRIPTS", "GLUE", "live_html", "live_outputs",
           "copy_live_assets", "setup"]

LIVE_VENDOR = "vega"
"""The folder of ``vendor/`` that holds vega, vega-lite and vega-embed."""

LIVE_SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js")
"""The vendored scripts, in the order a page loads them."""

VENDOR_FOLDER = "vendor"
"""The folder beside the pages for vendored files (as :data:`collabcomm.pipeline.render.
VENDOR_FOLDER`; :mod:`~collabcomm.pipeline.render` uses this module, not the reverse)."""

GLUE = package_dir() / "templates" / "live"
"""The glue script and stylesheet (copied to ``<vendor>/collabcomm-live/``)."""


def live_html(spec: dict, ident: str, title: str = "live figure") -> str:
    """The HTML that stands for one live figure: a ``div`` and its specification (without
    ``$schema``; ``</`` written with an escaped slash so the JSON cannot end the script)."""
    spec = {k: v for k, v in spec.items() if k != "$schema"}
    text = json.dumps(spec, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    return (f'<div class="collabcomm-live" id="{escape(ident)}" role="figure" '
            f'aria-label="{escape(title)}"></div>\n'
            f'<script type="application/json" class="collabcomm-live-spec" '
            f'data-target="{escape(ident)}">{text}</script>\n')


def live_outputs(nb, stem: str = "nb"):
    """A copy of ``nb`` in which every Vega-Lite output is :func:`live_html` (ids
    ``live-<stem>-<k>``, numbered from 1 in the notebook's order). Other outputs are kept."""
    out, k = copy.deepcopy(nb), 0
    for cell in out.cells:
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            spec = o.get("data", {}).get(VEGALITE_MIME)
            if spec is None:
                continue
            k += 1
            title = o["data"].get("text/plain", "live figure").strip("<>")
            o["data"] = {"text/html": live_html(spec, f"live-{stem.replace('_', '-')}-{k}",
                                                title),
                         "text/plain": o["data"].get("text/plain", "")}
            o.setdefault("metadata", {}).pop(VEGALITE_MIME, None)
    return out


def copy_live_assets(dest: str | os.PathLike, root=None) -> list[Path]:
    """Copy vega, vega-lite and vega-embed (``vendor/vega``) and the glue to
    ``dest/vendor/``; returns the files copied."""
    src = project(root).vendor / LIVE_VENDOR
    if not all((src / name).is_file() for name in LIVE_SCRIPTS):
        raise RenderError(f"{src} is missing or incomplete: the live figures load "
                          f"{', '.join(LIVE_SCRIPTS)} from the repository's vendor/ folder "
                          "(restore it with `git checkout -- vendor`; vendor/README.md says how "
                          "it was made)")
    shutil.copytree(src, Path(dest) / VENDOR_FOLDER / LIVE_VENDOR, dirs_exist_ok=True)
    copied = sorted(p for p in (Path(dest) / VENDOR_FOLDER / LIVE_VENDOR).rglob("*")
                    if p.is_file())
    target = Path(dest) / VENDOR_FOLDER / "collabcomm-live"
    target.mkdir(parents=True, exist_ok=True)
    for f in sorted(GLUE.iterdir()):
        shutil.copyfile(f, target / f.name)
        copied.append(target / f.name)
    return copied


def _page_context(app, pagename, templatename, context, doctree) -> None:
    if "collabcomm-live-spec" not in (context or {}).get("body", ""):
        return
    for name in LIVE_SCRIPTS:
        app.add_js_file(f"{VENDOR_FOLDER}/{LIVE_VENDOR}/{name}")
    app.add_js_file(f"{VENDOR_FOLDER}/collabcomm-live/collabcomm-live.js")
    app.add_css_file(f"{VENDOR_FOLDER}/collabcomm-live/collabcomm-live.css")


def setup(app) -> dict:
    """Sphinx extension: a page with a live figure loads the vendored scripts and the glue."""
    app.connect("html-page-context", _page_context)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
