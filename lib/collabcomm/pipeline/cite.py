"""How to cite the companion and its papers, from ``CITATION.cff``: the website's "Cite" box.

``CITATION.cff`` (Citation File Format 1.2.0, at the repository's root) is the one place the
citations are typed; ``tests/test_pipeline_cite.py`` validates it against the format's schema. This
module reads it and writes the box the landing page shows (:func:`cite_box`): the companion,
with the version and commit the site was built from, and each reference as an APA-style entry
(:func:`format_reference`). A reference whose only author is the entity ``anonymous`` (the
format's way of saying that no author is known) is cited by its title alone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..yamlfile import read_yaml
from .provenance import checkout_file

__all__ = ["CITATION_FILE", "citation_file", "load_citation", "authors_text",
           "format_reference", "cite_box"]

CITATION_FILE = "CITATION.cff"

ANONYMOUS = "anonymous"
"""The entity name CFF uses for a work whose authors are not known."""

_TYPE_NOTES = {"unpublished": "Unpublished manuscript", "software": "Computer software"}


def citation_file(root: str | os.PathLike) -> Path | None:
    """``CITATION.cff`` of the project at ``root``, else that of the checkout the package is
    imported from (:func:`collabcomm.pipeline.provenance.checkout_file`), else None."""
    return checkout_file(root, CITATION_FILE)


def load_citation(path: str | os.PathLike) -> dict[str, Any]:
    """The citation file as a mapping (read by :func:`collabcomm.yamlfile.read_yaml`).

    Raises
    ------
    RenderError
        If the file cannot be read, is not YAML, or lacks ``title`` or ``authors``.
    """
    data = read_yaml(path, RenderError, "citation file")
    missing = [k for k in ("title", "authors") if not isinstance(data, dict) or not data.get(k)]
    if missing:
        raise RenderError(f"{path}: no {' or '.join(missing)} (Citation File Format 1.2.0)")
    return data


def _person(author: dict[str, Any]) -> str:
    """``Adler, P. S.`` from family and given names (APA: initials); an entity by its name."""
    if "name" in author:
        return str(author["name"])
    initials = " ".join(f"{part[0]}." for part in str(author.get("given-names", "")).split()
                        if part)
    family = str(author.get("family-names", ""))
    return f"{family}, {initials}" if initials else family


def authors_text(authors: list[dict[str, Any]]) -> str:
    """Authors as APA lists them: ``A``, ``A, & B``, ``A, B, & C``.

    Examples
    --------
    >>> authors_text([{"family-names": "Adler", "given-names": "Paul S."},
    ...               {"family-names": "Heckscher", "given-names": "Charles"}])
    'Adler, P. S., & Heckscher, C.'
    >>> authors_text([{"name": "collabcomm contributors"}])
    'collabcomm contributors'
    """
    names = [_person(a) for a in authors]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _is_anonymous(authors: list[dict[str, Any]]) -> bool:
    return all(a.get("name") == ANONYMOUS for a in authors)


def format_reference(ref: dict[str, Any]) -> str:
    """One reference of the citation file as an APA-style entry in Markdown.

    An article: ``Authors (year). Title. *Journal*, *volume*, start–end. DOI link``; other
    types: ``Authors (year). *Title* [Type].``. Without a year the date is ``n.d.``; without a
    known author the title comes first (APA's rule for works without an author).

    Examples
    --------
    >>> format_reference({"type": "unpublished", "title": "A draft", "year": 2016,
    ...                   "authors": [{"family-names": "Adler", "given-names": "Paul S."}]})
    'Adler, P. S. (2016). *A draft* [Unpublished manuscript].'
    >>> format_reference({"type": "unpublished", "title": "no author here",
    ...                   "authors": [{"name": "anonymous"}]})
    '*no author here* (n.d.) [Unpublished manuscript; no author named].'
    """
    year = f"({ref['year']})" if ref.get("year") else "(n.d.)"
    kind = _TYPE_NOTES.get(ref.get("type", ""), "")
    if ref.get("type") == "article" and ref.get("journal"):
        pages = (f", {ref['start']}–{ref['end']}" if ref.get("start") and ref.get("end") else "")
        volume = f", *{ref['volume']}*" if ref.get("volume") else ""
        text = f"{ref['title']}. *{ref['journal']}*{volume}{pages}."
    else:
        text = f"*{ref['title']}*" + (f" [{kind}]." if kind else ".")
    if _is_anonymous(ref["authors"]):
        text = f"*{ref['title']}* {year} [{kind + '; ' if kind else ''}no author named]."
    else:
        text = f"{authors_text(ref['authors'])} {year}. {text}"
    if ref.get("doi"):
        url = f"https://doi.org/{ref['doi']}"
        text += f" [{url}]({url})"
    return text


def cite_box(citation: dict[str, Any], *, build: str, download: str | None = None) -> str:
    """The website's "Cite" box (MyST): the companion as software, with the version and commit
    the site was built from (``build``: :func:`collabcomm.pipeline.provenance.describe`), its
    licence, the papers it accompanies (the file's ``references``), their notes in a dropdown,
    and a link to the citation file itself (``download``: a MyST link, e.g. a ``{download}``
    role).

    Examples
    --------
    >>> box = cite_box({"title": "T", "authors": [{"name": "E"}], "license": "MIT"},
    ...                build="collabcomm 0.1.0, commit 0123456789ab")
    >>> print(box.splitlines()[3])
    E (n.d.). *T* (collabcomm 0.1.0, commit 0123456789ab) [Computer software]. Licence: MIT.
    """
    licence = f" Licence: {citation['license']}." if citation.get("license") else ""
    body = ["::::{admonition} Cite", ":class: cite", "",
            f"{authors_text(citation['authors'])} (n.d.). *{citation['title']}* ({build}) "
            f"[Computer software].{licence}", ""]
    refs = citation.get("references") or []
    if refs:
        body += ["The papers it accompanies:", ""]
        body += [f"- {format_reference(r)}" for r in refs]
        body.append("")
        notes = [(r["title"], " ".join(str(r["notes"]).split())) for r in refs if r.get("notes")]
        if notes:
            body += [":::{dropdown} Notes on these references", ""]
            body += [f"- *{title}*: {note}" for title, note in notes]
            body += ["", ":::", ""]
    if download:
        body += [f"All of this is in {download} (Citation File Format 1.2.0, which reference "
                 "managers read).", ""]
    return "\n".join(body + ["::::", ""])
