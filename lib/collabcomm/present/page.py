"""A notebook's numbered tables and figures: "Table 4.2: ...", "Figure 4.1: ...".

Each notebook makes one :class:`Page` with its number (``page = present.Page(4)``) and shows
every table through :meth:`Page.table` and every figure through :meth:`Page.figure`. The k-th
distinct caption of a kind gets number k, and a caption shown again (a cell run twice in
JupyterLab) keeps its number.

A figure is shown as the PNG that :func:`collabcomm.figures.save_and_show` saved, byte for byte,
with its alt text and its numbered caption in the output's metadata (``image/png``: ``alt``,
``caption``, ``name``), followed by the caption as Markdown (marked ``collabcomm: caption``)
for JupyterLab and the slides. The website's preparation
(:func:`collabcomm.pipeline.site.prepare_notebook`) turns the two into one captioned figure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .tables import Table, table

__all__ = ["Page", "CAPTION_KEY", "Caption"]

CAPTION_KEY = "collabcomm"
"""Metadata key that marks a figure's caption output (value: ``"caption"``)."""


@dataclass
class Caption:
    """A figure's numbered caption, shown as Markdown below the figure."""

    text: str

    def _repr_markdown_(self):
        return f"*{self.text}*", {CAPTION_KEY: "caption"}

    def __repr__(self) -> str:
        return self.text


@dataclass
class Page:
    """The numbering of one notebook's tables and figures.

    Parameters
    ----------
    number : int
        The notebook's number (the N of "Table N.k").
    """

    number: int
    _seen: dict = field(default_factory=lambda: {"Table": {}, "Figure": {}}, repr=False)

    def label(self, kind: str, caption: str) -> str:
        """``"<kind> N.k: caption"``, k counting the distinct captions of ``kind`` so far.

        >>> p = Page(4); p.label("Table", "A"), p.label("Table", "B"), p.label("Table", "A")
        ('Table 4.1: A', 'Table 4.2: B', 'Table 4.1: A')
        """
        seen = self._seen[kind]
        k = seen.setdefault(caption, len(seen) + 1)
        return f"{kind} {self.number}.{k}: {caption}"

    def table(self, data, caption: str, **options) -> Table:
        """:func:`collabcomm.present.tables.table` of ``data`` with the numbered caption;
        ``options`` as that function takes them."""
        text = self.label("Table", caption)
        uid = f"t{self.number}-{self._seen['Table'][caption]}"
        return table(data, text, uid=uid, **options)

    def figure(self, fig, name: str, caption: str, *, alt: str,
               folder: str | os.PathLike | None = None) -> Caption:
        """Save ``fig`` (:func:`collabcomm.figures.save_and_show`), display it with ``alt`` and
        the numbered caption, and return the caption (displayed below it).

        Parameters
        ----------
        fig : matplotlib.figure.Figure
        name : str
            File name without extension (``figures/<name>.png`` and ``.svg``).
        caption : str
            What the figure shows, in one sentence ("Figure N.k: " is prefixed).
        alt : str
            Text alternative describing what the figure shows, for a reader who cannot see it.
        folder : path-like, optional
            Target folder (default ``figures/``).
        """
        from IPython.display import display

        from ..figures import save_and_show

        if not alt or not alt.strip():
            raise ValueError(f"figure {name!r}: give an alt text that describes what it shows")
        text = self.label("Figure", caption)
        image = save_and_show(fig, name, folder=folder, alt=alt)
        image.metadata = {**(image.metadata or {}), "caption": text, "name": name}
        display(image)
        return Caption(text)
