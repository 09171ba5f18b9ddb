"""What a reader of the companion website can download, and the links to it.

:func:`write_downloads` copies into the site's sources (``build/site/downloads/``): ``audit.csv``,
a zip of ``data/derived`` (with the codebook ``data/README.md``, the licence and the citation
file; the project's, else those of the code's checkout), ``CITATION.cff``, each executed notebook as papermill wrote it, and every file each
notebook wrote (its stamp in ``build/stamps`` lists them: the CSVs and the figures' PNG and
SVG). The pages link them with Sphinx's ``download`` role (:func:`download_link`), so Sphinx
copies each file beside the pages (``_downloads/``), every link is relative (the site works from
``file://`` and from any host), and a link to a missing file stops the build.

The zip is byte-stable: members in name order, each with the same fixed date and permissions,
so the same ``data/derived`` gives the same zip on any machine.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..paths import ProjectPaths
from .provenance import checkout_file

__all__ = ["FOLDER", "ZIP_NAME", "Downloads", "stable_zip", "notebook_outputs",
           "write_downloads", "download_link", "notebook_downloads", "figure_files"]

FOLDER = "downloads"
"""Folder of the downloads in the site's sources (excluded from Sphinx's documents)."""

ZIP_NAME = "collabcomm-data-derived.zip"

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold


@dataclass
class Downloads:
    """Paths, relative to the site's sources, of what :func:`write_downloads` wrote."""

    audit: str | None = None
    derived_zip: str | None = None
    citation: str | None = None
    notebooks: dict[str, str] = field(default_factory=dict)   # stem -> executed .ipynb
    outputs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    """stem -> (path the notebook wrote, relative to the project, its copy) for each output."""
    figures: dict[str, dict[str, str]] = field(default_factory=dict)
    """figure stem -> {"png": copy, "svg": copy} for every figure in ``figures/``."""


def stable_zip(members: list[tuple[str, Path]], target: Path) -> Path:
    """Write ``target``, a zip of ``members`` (name in the archive, file), byte for byte the
    same for the same files: sorted by name, fixed date (1980-01-01), mode 0644, deflated at
    level 9."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w") as zf:
        for name, path in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever the machine
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    return target


def notebook_outputs(paths: ProjectPaths, stem: str) -> list[str]:
    """The files a notebook's last successful run wrote (relative to the project, as its
    stamp in ``build/stamps`` lists them), those that exist, in name order."""
    try:
        stamp = json.loads((paths.stamps / f"{stem}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(o for o in stamp.get("outputs", []) if (paths.root / o).is_file())


def _copy(source: Path, src: Path, rel: str) -> str:
    target = src / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return rel


def write_downloads(paths: ProjectPaths, src: Path, stems: list[str],
                    citation: Path | None = None) -> Downloads:
    """Copy every download into ``src/downloads/`` and return where each went.

    Parameters
    ----------
    paths : ProjectPaths
        The project.
    src : Path
        The site's sources (``build/site``).
    stems : list of str
        The notebooks that have been executed.
    citation : Path, optional
        The citation file (:func:`collabcomm.pipeline.cite.citation_file`).
    """
    out = Downloads()
    audit = paths.derived / "audit.csv"
    if audit.is_file():
        out.audit = _copy(audit, src, f"{FOLDER}/audit.csv")
    derived = sorted(p for p in paths.derived.rglob("*") if p.is_file()) \
        if paths.derived.is_dir() else []
    if derived:
        members = [(p.relative_to(paths.root).as_posix(), p) for p in derived]
        members += [(name, found) for name in ("data/README.md", "LICENSE")
                    if (found := checkout_file(paths.root, name)) is not None]
        if citation is not None:
            members.append(("CITATION.cff", citation))
        stable_zip(members, src / FOLDER / ZIP_NAME)
        out.derived_zip = f"{FOLDER}/{ZIP_NAME}"
    if citation is not None:
        out.citation = _copy(citation, src, f"{FOLDER}/CITATION.cff")
    for stem in stems:
        out.notebooks[stem] = _copy(paths.executed / f"{stem}.ipynb", src,
                                    f"{FOLDER}/notebooks/{stem}.ipynb")
        out.outputs[stem] = [(o, _copy(paths.root / o, src, f"{FOLDER}/outputs/{o}"))
                             for o in notebook_outputs(paths, stem)]
    for png in sorted(paths.figures.glob("*.png")) if paths.figures.is_dir() else []:
        kinds = {}
        for suffix in ("png", "svg"):
            f = png.with_suffix(f".{suffix}")
            if f.is_file():
                kinds[suffix] = _copy(f, src, f"{FOLDER}/figures/{f.name}")
        out.figures[png.stem] = kinds
    return out


def download_link(rel: str, text: str | None = None) -> str:
    """A MyST link that downloads ``rel`` (a path in the site's sources), shown as ``text``
    (default: the file's name in code type).

    Examples
    --------
    >>> download_link("downloads/derived.zip")
    '{download}`derived.zip <downloads/derived.zip>`'
    """
    label = text if text is not None else Path(rel).name
    return f"{{download}}`{label} <{rel}>`"


def notebook_downloads(stem: str, downloads: Downloads) -> str:
    """The "Download" box of a notebook's page (MyST): the executed notebook, and every file its
    run wrote, tables and figures apart, each under its path in the project."""
    body = ["::::{admonition} Download", ":class: downloads", ""]
    if stem in downloads.notebooks:
        body += [f"- The executed notebook: {download_link(downloads.notebooks[stem])} "
                 "(as papermill ran it, with its outputs; opens in JupyterLab)"]
    written = downloads.outputs.get(stem, [])
    tables = [(o, c) for o, c in written if not o.startswith("figures/")]
    figures = [(o, c) for o, c in written if o.startswith("figures/")]
    for what, group in (("Tables and data it wrote", tables), ("Figures it wrote", figures)):
        if group:
            links = ", ".join(download_link(c, os.path.basename(o)) for o, c in group)
            body.append(f"- {what}: {links}")
    if len(body) == 3:
        body.append("Nothing to download: this notebook has not been run.")
    return "\n".join(body + ["", "::::", ""])


def figure_files(downloads: Downloads) -> dict[str, str]:
    """Figure stem -> the Markdown links that download its PNG and SVG."""
    return {stem: " · ".join(download_link(rel, kind.upper()) for kind, rel in kinds.items())
            for stem, kinds in downloads.figures.items()}
