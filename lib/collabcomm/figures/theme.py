"""The figures' theme and their deterministic saving.

Every figure is saved as PNG and SVG in ``figures/`` by :func:`save`, atomically (and staged
while the pipeline runs, see :mod:`collabcomm.outputs`). The bytes are the same on every run:
no software version or date in the metadata, a fixed SVG hash salt, glyphs drawn as paths, and
only the DejaVu fonts that ship with matplotlib.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..lazy import lazy_import
from ..outputs import atomic_path, destination
from ..paths import project

plt = lazy_import("matplotlib.pyplot")
sns = lazy_import("seaborn")

__all__ = [
    "SYNTHETIC_NOTE",
    "SCALE_COLORS",
    "set_theme",
    "save",
    "save_and_show",
    "stable_svg_ids",
    "mark_synthetic",
]


SYNTHETIC_NOTE = "Synthetic reconstruction from published moments, not the district's data"

RC = {
    "svg.hashsalt": "collabcomm",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "axes.titleweight": "bold",
}
SCALE_COLORS = {"traditional": "#8c6d31", "bureaucratic": "#6b6ecf",
                "collaborative": "#2ca02c", "fragmented": "#d62728"}


def set_theme() -> None:
    """Seaborn's white-grid theme with the companion's deterministic settings."""
    sns.set_theme(style="whitegrid", context="notebook", rc=RC)


def save(fig: plt.Figure, name: str, *, folder: str | os.PathLike | None = None) -> list[Path]:
    """Save ``fig`` as ``<name>.png`` and ``<name>.svg`` in ``figures/`` with deterministic bytes.

    Returns the two target paths. The figure is left open (the notebook displays it).
    """
    folder = Path(folder) if folder is not None else project().figures
    out = []
    with plt.rc_context(RC):
        for ext, meta in (("png", {"Software": None}),
                          ("svg", {"Date": None, "Creator": None})):
            target = folder / f"{name}.{ext}"
            with atomic_path(target) as tmp:
                fig.savefig(tmp, format=ext, metadata=meta)
                if ext == "svg":
                    tmp.write_text(stable_svg_ids(tmp.read_text(encoding="utf-8")),
                                   encoding="utf-8")
            out.append(target)
    return out


def save_and_show(fig: plt.Figure, name: str, *, folder: str | os.PathLike | None = None,
                  alt: str | None = None):
    """Save ``fig`` as :func:`save` does, close it, and return the saved PNG for display.

    A notebook ends a figure cell with this call so that the executed notebook, and with it the
    HTML pages and the slides rendered from it, shows the figure. The pipeline runs notebooks
    with matplotlib's non-interactive Agg backend, under which a figure left open is never
    displayed; in JupyterLab an open figure would be displayed a second time, hence the close.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    name : str
        File name without extension.
    folder : path-like, optional
        Target folder (default ``figures/``).
    alt : str, optional
        Text alternative of the image in the HTML pages and slides. Default: the figure's
        title (its suptitle, else its axes' titles), else ``name`` in words.

    Returns
    -------
    IPython.display.Image
        The PNG exactly as written (read from the staging folder while the pipeline runs), so
        what a reader sees is byte for byte the saved figure.
    """
    from IPython.display import Image

    if alt is None:
        titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
        alt = "; ".join(t for t in titles if t) or name.replace("_", " ")
    png = save(fig, name, folder=folder)[0]
    plt.close(fig)
    return Image(data=destination(png).read_bytes(), format="png", alt=alt)


_SVG_HASH_ID = re.compile(r"\b(p|m|h|image|C[0-9a-f]+_\d+_)([0-9a-f]{10})\b")


def stable_svg_ids(svg: str) -> str:
    """Replace matplotlib's hashed SVG ids (clip paths ``p…``, markers ``m…``, hatches ``h…``,
    images ``image…``, collection paths ``C0_0_…``) by sequence numbers in order of first
    appearance.

    matplotlib names a clip path by a hash of its rectangle's coordinates at full float
    precision, so a layout that moves by 1e-13 (a tick label measured after another BLAS's
    round-off) renames every clip path although nothing visible changed. Numbering the ids
    keeps the SVG's bytes a function of what is drawn.

    >>> stable_svg_ids('<clipPath id="p3381a0f390"/><g clip-path="url(#p3381a0f390)"/>')
    '<clipPath id="p0000000000"/><g clip-path="url(#p0000000000)"/>'
    """
    names: dict[str, str] = {}

    def rename(match: re.Match) -> str:
        key = match.group(0)
        if key not in names:
            names[key] = f"{match.group(1)}{len(names):010d}"
        return names[key]

    return _SVG_HASH_ID.sub(rename, svg)


def _finish(fig: plt.Figure, synthetic: bool) -> plt.Figure:
    """Common epilogue: tight layout, then the synthetic label where the data are synthetic."""
    fig.tight_layout()
    if synthetic:
        mark_synthetic(fig)
    return fig


def mark_synthetic(fig: plt.Figure, note: str = SYNTHETIC_NOTE) -> None:
    """Write the synthetic-data label along the bottom of a figure."""
    fig.text(0.5, -0.01, note, ha="center", va="top", fontsize=9, style="italic",
             color="#a0522d")
