"""A notebook's page on the website, as a reader sees it: code folded, figures captioned, the
parameters as a table, and nothing the notebook says lost.

:func:`collabcomm.pipeline.site.prepare_notebook` applies :func:`fold_code` and
:func:`caption_figure` to each code cell of the site's copy of an executed notebook;
:func:`collabcomm.pipeline.site.build_site` then checks each built page with
:func:`lost_lines`: every line of the notebook's Markdown must be found in the page's text. A
line that MyST reads as markup (a line starting with ``%`` is a comment, and silently dropped)
stops the build, naming the notebook and the line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

__all__ = ["FOLD_TAGS", "fold_code", "caption_figure", "parameters_table", "page_text",
           "markdown_fragments", "lost_lines"]


FOLD_TAGS = ("hide-input", "remove-input", "remove-cell")
"""Tags by which a notebook folds or removes a code cell's input on the site (myst-nb)."""


def fold_code(cell, parameters: str | None = None) -> None:
    """Fold a code cell of the site's copy, in place: papermill's injected cell is removed;
    the parameters cell shows ``parameters`` (HTML of the "Parameters of this run" table), or
    its code when there is none; any other cell's code goes behind a toggle (``hide-input``)
    unless its tags already fold or remove it."""
    tags = cell.metadata.setdefault("tags", [])
    if "injected-parameters" in tags:
        tags.append("remove-cell")
    elif "parameters" in tags:
        if parameters:
            import nbformat

            tags.append("remove-input")
            cell.outputs = [nbformat.v4.new_output("display_data", data={
                "text/html": parameters, "text/plain": "Parameters of this run"})]
    elif not any(t in tags for t in FOLD_TAGS):
        tags.append("hide-input")


def caption_figure(cell) -> None:
    """Turn a figure shown by :meth:`collabcomm.present.Page.figure` into one captioned figure,
    in place: the caption output (marked ``collabcomm: caption``) is dropped and the image's
    numbered caption, with a link to its SVG in ``figures/``, becomes myst-nb's figure caption
    (``mystnb.figure``), named ``figure-<name>``."""
    from ..present.page import CAPTION_KEY

    images = [o.get("metadata", {}).get("image/png", {}) for o in cell.get("outputs", [])
              if "image/png" in o.get("data", {})]
    captioned = [m for m in images if m.get("caption")]
    if len(images) != 1 or not captioned:
        return
    meta = captioned[0]
    cell.outputs = [o for o in cell.outputs if not any(
        isinstance(v, dict) and v.get(CAPTION_KEY) == "caption"
        for v in o.get("metadata", {}).values())]
    name = meta.get("name", "")
    link = f" [SVG](figures/{name}.svg)" if name else ""
    cell.metadata.setdefault("mystnb", {})["figure"] = {
        "caption": f"{_caption_markdown(meta['caption'])}{link}", "name": f"figure-{name}"}


def _caption_markdown(text: str) -> str:
    """A caption's text as Markdown that reads as written (its label in bold)."""
    from .pages import md_escape

    label, sep, rest = text.partition(": ")
    return f"**{md_escape(label)}:** {md_escape(rest)}" if sep else md_escape(text)


def parameters_table(values: dict[str, Any], declared: dict) -> str:
    """HTML of the "Parameters of this run" table: each parameter with the value it ran with
    (as ``-p`` spells it) and its meaning from ``notebooks/params.yaml``."""
    import pandas as pd

    from ..present import table
    from .pages import override_text

    rows = [{"parameter": k, "value": override_text(v) or "(empty)",
             "meaning": declared[k].help if k in declared else ""} for k, v in values.items()]
    frame = pd.DataFrame(rows, columns=["parameter", "value", "meaning"])
    return table(frame, "Parameters of this run", kinds=dict.fromkeys(frame.columns, "text"),
                 uid="parameters").to_html()


# --- nothing lost: every line of a notebook's Markdown on its page ------------------------------

_BLOCK = {"p", "li", "td", "th", "div", "section", "h1", "h2", "h3", "h4", "h5", "h6", "br",
          "tr", "table", "ul", "ol", "pre", "blockquote", "dt", "dd", "figcaption", "caption"}
_SKIP = {"script", "style"}


class _MainText(HTMLParser):
    """The text of a page's ``<main>`` element, with a space at each block's edges."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth, self.skip, self.parts = 0, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in _SKIP:
            self.skip += 1
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in _SKIP:
            self.skip -= 1
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data):
        if self.depth > 0 and not self.skip:
            self.parts.append(data)


def _squash(text: str) -> str:
    return " ".join(text.split())


def page_text(html: str) -> str:
    """The text of a built page's ``<main>``, whitespace collapsed."""
    parser = _MainText()
    parser.feed(html)
    return _squash("".join(parser.parts))


_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+\$|\\\(.*?\\\)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)", re.DOTALL)
_LEAD = re.compile(r"^\s*(?:#{1,6}\s+(?:\d+\s*·\s*)?|[-*+]\s+|\d+[.)]\s+|>\s*)")
_EMPHASIS = [re.compile(r"(?<![\\\w])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?!\w)", re.DOTALL),
             re.compile(r"(?<![\\\w*])([*_])(?=[^\s*])(.+?)(?<=[^\s\\*])\1(?![\w*])",
                        re.DOTALL)]
_MATH_ANYWHERE = re.compile(r"\$\$.*?\$\$|\$[^$]+?\$", re.DOTALL)
_LABEL = re.compile(r"^\s*\([^)]*\)=\s*$")


def markdown_fragments(source: str) -> list[tuple[str, str]]:
    r"""(line, fragment) for the plain-text pieces of each line of a Markdown cell that a reader
    must find on the page: markup (headings' ``#``, list markers, emphasis, backticks, links'
    targets, backslash escapes) removed, math left out (KaTeX rewrites it), table rows cut at
    ``|``. Fenced code, display math, labels and HTML comments are skipped.

    >>> [f for _, f in markdown_fragments("## 1. The *model*\n\n$$x = 1$$\n"
    ...                                    "for school $j$ and `item_id`, r*wg(j) **b**")]
    ['1. The model', 'for school', 'and item_id, r*wg(j) b']
    """
    out, fenced, display = [], False, False
    # math, inline or display, possibly across lines, becomes a break between pieces
    source = _MATH_ANYWHERE.sub(lambda m: "\x00" if "\n" not in m.group(0) else "\x00\n",
                                source)
    # links and emphasis, possibly across lines, become their text
    source = _LINK.sub(r"\1", source)
    for emphasis in _EMPHASIS:
        source = emphasis.sub(r"\2", source)
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            continue
        if fenced or not stripped or _LABEL.match(line) or stripped.startswith("<!--"):
            continue
        if stripped.count("$$") % 2 == 1:  # a display formula MyST reads as such
            display = not display
            continue
        if display:
            continue
        text = _LEAD.sub("", line, count=1) if not stripped.startswith("#") else \
            re.sub(r"^#{1,6}\s+(?:\d+\s*·\s*)?", "", stripped)
        text = text.replace("`", "")
        text = re.sub(r"\\(.)", r"\1", text)
        for piece in _MATH.split(text.replace("\x00", "$$$$")):
            for cell in piece.split("|") if stripped.startswith("|") else [piece]:
                frag = _squash(cell).strip(" ,;:")
                if len(frag) >= 3 and re.search(r"[A-Za-z0-9]", frag) \
                        and not re.fullmatch(r"[-: ]+", frag):
                    out.append((line, frag))
    return out


def lost_lines(nb, html: str) -> list[str]:
    """Each Markdown line of ``nb`` (an executed notebook) with a piece of text that its built
    page (``html``) does not show, as ``"line"``; an empty list when nothing is lost."""
    text = page_text(html)
    lost = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line, frag in markdown_fragments(cell.source):
            if frag not in text and line not in lost:
                lost.append(line)
    return lost
