"""The companion website's generated pages, as MyST Markdown written from the pipeline's files.

:mod:`~collabcomm.pipeline.site` builds the website with Sphinx; this module writes the text of
the pages that are not notebooks, and the box every page carries:

* :func:`findings` and :func:`landing_page`: what the two papers argue (prose from
  ``lib/collabcomm/templates/site/landing.md``) and what the companion found, counted from
  ``data/derived/audit.csv`` at build time;
* :func:`audit_page`: every row of ``audit.csv``, grouped by exhibit, with its status;
* :func:`gallery_page`: every figure as a thumbnail with its caption and a link to the notebook
  section that draws it (the entries come from :func:`collabcomm.pipeline.site.figure_entries`);
* :func:`reproduce_box`: the exact command that regenerates a page, with the parameters it ran
  with (:func:`reproduce_command`, :func:`override_text`).

Nothing here types a number: every count, value and parameter comes from a file the pipeline
wrote (``audit.csv``, ``figures/``, the executed notebooks) or from ``notebooks/params.yaml``.
Text read from those files is escaped (:func:`md_escape`) so that it appears as written.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..audit.words import STATUS_WORDS, in_words, tally
from ..paths import package_dir
from ..present.tables import scientific_text
from ..schema import AUDIT_COLUMNS, AUDIT_STATUSES

__all__ = [
    "STATUS_LABELS",
    "EXHIBIT_TITLES",
    "FigureEntry",
    "md_escape",
    "override_text",
    "reproduce_command",
    "reproduce_box",
    "status_counts",
    "findings",
    "landing_page",
    "audit_page",
    "gallery_page",
]

STATUS_LABELS = STATUS_WORDS
"""How each status of ``audit.csv`` reads on the site (:data:`collabcomm.audit.STATUS_WORDS`)."""

_BADGES = {"match": "bdg-success", "differs": "bdg-warning", "inconsistent": "bdg-danger",
           "not_checkable": "bdg-secondary"}

EXHIBIT_TITLES = {"2": "Exhibit 2: descriptive statistics",
                  "3": "Exhibit 3: correlations and alphas",
                  "4": "Exhibit 4: six OLS models of 2012 API scores",
                  "5": "Exhibit 5: item-level results",
                  "text": "Claims made in the text"}
"""What each value of ``audit.csv``'s ``exhibit`` column refers to (paper 001)."""

#: Label of the audit page (its sections are ``audit-exhibit-<exhibit>``).
AUDIT_LABEL = "audit-page"

_PUNCTUATION = re.compile(r"([!\"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])")
_PY = ".venv/bin/python -m collabcomm"


def md_escape(text: Any) -> str:
    r"""``text`` as Markdown that reads exactly as written: every ASCII punctuation character
    is backslash-escaped (so ``*``, ``_``, ``$``, ``|`` and backticks are not markup) and line
    breaks become spaces.

    Examples
    --------
    >>> md_escape("|r| <= 0.24*")
    '\\|r\\| \\<\\= 0\\.24\\*'
    """
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def _spelled(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # a plain decimal literal for any finite float: 0.05, 1e-05
    return str(value)


def override_text(value: Any) -> str:
    """A parameter's value as ``-p name=VALUE`` spells it: the text that
    :meth:`collabcomm.pipeline.params.ParamSpec.coerce` reads back, by the parameter's
    declared type (:mod:`collabcomm.pipeline.paramtext`), as the same value. Text is written
    verbatim; a list as ``[a,b,...]``.

    Examples
    --------
    >>> [override_text(v) for v in (26, 0.05, None, [0.01, 0.05, 0.1], "a b", "", "yes #1")]
    ['26', '0.05', 'null', '[0.01,0.05,0.1]', 'a b', '', 'yes #1']
    """
    if isinstance(value, list | tuple):
        return "[" + ",".join(_spelled(v) for v in value) + "]"
    return _spelled(value)


def reproduce_command(notebook: str | None = None, values: dict[str, Any] | None = None) -> str:
    r"""The shell command, from the project root, that reruns ``notebook`` with ``values`` and
    rebuilds the website (``html`` takes the options of ``run``): one ``-p`` per parameter, so
    the command is exact whatever the defaults in ``notebooks/params.yaml`` become. Without a
    notebook: rerun every notebook with its defaults.

    Examples
    --------
    >>> print(reproduce_command("06_reproducibility_audit", {"draws": 4000, "audit_seed": 0}))
    .venv/bin/python -m collabcomm html --only 06 --force \
        -p draws=4000 \
        -p audit_seed=0
    """
    only = f" --only {notebook.split('_')[0]}" if notebook else ""
    lines = [f"{_PY} html{only} --force"] + [f"    -p {shlex.quote(f'{k}={override_text(v)}')}"
                                             for k, v in (values or {}).items()]
    return " \\\n".join(lines)


def reproduce_box(notebook: str | None = None, values: dict[str, Any] | None = None,
                  specs: dict | None = None, *, what: str = "this page") -> str:
    """The "Reproduce this" box of a page (MyST): :func:`reproduce_command`, and a table of
    the parameters with their value, their default and their meaning from
    ``notebooks/params.yaml`` (``specs``: :func:`collabcomm.pipeline.params.load_specs`)."""
    values = values or {}
    body = [f"::::{{admonition}} Reproduce {what}", ":class: tip reproduce", "",
            "From the project's root, after `make env` (which creates `.venv` from the lock), "
            + ("this reruns the notebook with these parameters" if notebook else
               "this reruns every notebook") + " and rebuilds the website:",
            "", "```bash", reproduce_command(notebook, values), "```", ""]
    declared = specs[notebook].parameters if specs and notebook in specs else {}
    if values and declared:
        body += [":::{dropdown} Its parameters (`notebooks/params.yaml`)", "",
                 "| parameter | value | default | meaning |", "|---|---|---|---|"]
        for name, value in values.items():
            spec = declared.get(name)
            default = md_escape(override_text(spec.default)) if spec else ""
            meaning = md_escape(spec.help) if spec else ""
            body.append(f"| `{name}` | {md_escape(override_text(value)) or '(empty)'} | "
                        f"{default or '(empty)'} | {meaning} |")
        body += ["", ":::"]
    elif notebook is None:
        body.append("Each notebook runs with its parameters in `notebooks/params.yaml`; "
                    "each notebook's page shows them.")
    return "\n".join(body + ["::::", ""])


def status_counts(audit: pd.DataFrame) -> pd.DataFrame:
    """Rows of ``audit.csv`` per exhibit (rows, in the file's order of first appearance) and
    status (columns, :data:`collabcomm.schema.AUDIT_STATUSES` order, only those that occur),
    with a ``checked`` total; the last row, ``all``, sums them."""
    statuses = [s for s in AUDIT_STATUSES if s in set(audit["status"])]
    order = list(dict.fromkeys(audit["exhibit"]))
    table = (pd.crosstab(audit["exhibit"], audit["status"])
             .reindex(index=order, columns=statuses, fill_value=0))
    table.insert(0, "checked", table.sum(axis=1))
    table.loc["all"] = table.sum()
    return table


def _exhibit_title(exhibit: str) -> str:
    return EXHIBIT_TITLES.get(exhibit, f"Exhibit {exhibit}")


def _examples(rows: pd.DataFrame, status: str, k: int) -> list[pd.Series]:
    """Up to ``k`` rows of ``status``, the first of each check family first."""
    hit = rows[rows["status"] == status]
    first = hit.drop_duplicates("check")
    return [r for _, r in pd.concat([first, hit.drop(first.index)]).head(k).iterrows()]


def findings(audit: pd.DataFrame | None, *, examples: int = 2) -> str:
    """What the companion found, in Markdown: the status counts of ``audit.csv`` overall and per
    exhibit (linked to the exhibit's section of the audit page), and for each exhibit with
    inconsistent rows up to ``examples`` of them (one per check family first) with their
    published and reproduced values, in words (:func:`collabcomm.audit.in_words`). ``None``
    (no audit.csv yet) says so."""
    if audit is None or audit.empty:
        return ("The audit has not run yet: `data/derived/audit.csv` does not exist. "
                "Notebook 06 writes it (`make reproduce`).\n")
    counts = status_counts(audit)
    total = counts.loc["all"]
    out = [f"The audit (notebook 06) checked **{int(total['checked'])}** published numbers "
           f"and claims of paper 001 against the reproduction, against arithmetic and against "
           f"each other: **{tally(audit['status'])}**.", "",
           "| exhibit | checked | " + " | ".join(STATUS_LABELS[s] for s in counts.columns[1:])
           + " |", "|---|" + "---:|" * len(counts.columns)]
    for exhibit, row in counts.drop(index="all").iterrows():
        out.append(f"| {{ref}}`{_exhibit_title(exhibit)} <audit-exhibit-{exhibit}>` | "
                   + " | ".join(str(int(v)) for v in row) + " |")
    out.append("")
    for exhibit in counts.index[:-1]:
        rows = _examples(audit[audit["exhibit"] == exhibit], "inconsistent", examples)
        if not rows:
            continue
        n = int(counts.loc[exhibit].get("inconsistent", 0))
        shown = in_words(pd.DataFrame(rows))  # the paper's labels, not the files' ids
        items = [f"*{md_escape(r['quantity'])}* (published {md_escape(r['published'] or '—')}; "
                 f"found {md_escape(r['reproduced'] or '—')})" for _, r in shown.iterrows()]
        listed = items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
        more = (f"; {n - len(rows)} more {{ref}}`on the audit page <audit-exhibit-{exhibit}>`"
                if n > len(rows) else "")
        out.append(f"- **{md_escape(_exhibit_title(exhibit))}**: {n} inconsistent, for example "
                   f"{listed}{more}.")
    return "\n".join(out) + "\n"


def landing_page(audit: pd.DataFrame | None, *, box: str, toc: str,
                 figure: FigureEntry | None = None, headline: str = "", rerun: str = "",
                 cite: str = "") -> str:
    """The landing page: the template ``lib/collabcomm/templates/site/landing.md`` (what the two
    papers argue) filled with :func:`findings`, the audit's ``figure`` when there is one (its
    caption and a link to the section that draws it), the reproduce ``box`` and the ``toc``
    (the site's toctrees). Its first screen shows the ``headline`` findings, the ``rerun`` box
    and the ``cite`` box (:mod:`~collabcomm.pipeline.front`, :mod:`~collabcomm.pipeline.cite`)."""
    template = (package_dir() / "templates" / "site" / "landing.md").read_text(encoding="utf-8")
    shown = ""
    if figure is not None:
        where = (f" (drawn in {{ref}}`{figure.section_title} <{figure.section}>`)"
                 if figure.section else "")
        shown = (f":::{{figure}} {figure.image}\n:alt: {md_escape(figure.caption)}\n"
                 f":width: 100%\n\n{md_escape(figure.caption)}: `{figure.stem}`{where}.\n:::\n")
    return template.format(findings=findings(audit), figure=shown, box=box, toc=toc,
                           headline=headline or "(The README's findings are not available.)\n",
                           rerun=rerun, cite=cite)


def audit_page(audit: pd.DataFrame | None, *, box: str) -> str:
    """The audit page: every row of ``audit.csv`` in one table per exhibit, each row with its
    status as a coloured badge and its text in words (:func:`collabcomm.audit.in_words`; the
    ``check`` column keeps the family's code) with numbers in e-notation written as printed
    (:func:`collabcomm.present.tables.scientific_text`). ``audit-filter.js`` (beside the
    landing template) adds filters by status and by exhibit in the browser; without
    JavaScript every row is shown."""
    # no "Contents" panel on the right: the audit's wide tables use the whole width instead
    out = ["---", "html_theme.sidebar_secondary.remove: true", "---", "",
           f"({AUDIT_LABEL})=", "# Every checked number: the audit", "",
           "Each row of `data/derived/audit.csv`, which notebook 06 writes: a published number "
           "or claim of paper 001, what the check found, and its status. **match**: the "
           "reproduction or the check agrees with the published value within its rounding; "
           "**inconsistent**: no reading of the published tables within rounding gives the "
           "value; **differs**: the synthetic reconstruction does not reproduce the published "
           "value; **not checkable**: nothing published "
           "allows a check. These are findings about the published tables, not verdicts on "
           "the study; notebook 06 names possible innocent reasons for each. Variables, items "
           "and significance are named in words here (`API 2012`, not `api_2012`); the file "
           "keeps the identifiers that scripts filter on.", "", box]
    if audit is None or audit.empty:
        out.append("`data/derived/audit.csv` does not exist yet: notebook 06 writes it "
                   "(`make reproduce`).")
        return "\n".join(out) + "\n"
    counts = status_counts(audit)
    out += [":::{container} audit-filter", "",
            "Showing every row. (With JavaScript on, the rows can be filtered by status and "
            "by exhibit here.)", ":::", ""]
    columns = [c for c in AUDIT_COLUMNS if c not in ("exhibit",)]
    for exhibit in counts.index[:-1]:
        rows = audit[audit["exhibit"] == exhibit]
        out += [f"(audit-exhibit-{exhibit})=", f"## {md_escape(_exhibit_title(exhibit))}", "",
                f"{len(rows)} rows: {tally(rows['status'])}.", "",
                # not the theme's "full-width" class: the theme's script then toggles the
                # right-hand sidebar, which this page removes (a script error)
                ":::{div} cc-audit-wide", "", "```{list-table}", ":header-rows: 1",
                ":class: audit-table", ""]
        out.append(_list_row(columns))
        words = in_words(rows.drop(columns="status"))  # the paper's labels; the file's codes
        for (_, r), (_, w) in zip(rows.iterrows(), words.iterrows(), strict=True):
            out.append(_list_row([_badge(r[c]) if c == "status" else
                                  md_escape(scientific_text(str(w[c]))) for c in columns]))
        out += ["```", ":::", ""]
    return "\n".join(out) + "\n"


def _badge(status: str) -> str:
    return f"{{{_BADGES.get(status, 'bdg-light')}}}`{STATUS_LABELS.get(status, status)}`"


def _list_row(cells: list[str]) -> str:
    """One row of a MyST ``list-table``: a bullet of bullets (an empty cell stays empty)."""
    return "* " + "\n  ".join(f"- {c}".rstrip() for c in cells)


@dataclass(frozen=True)
class FigureEntry:
    """One figure of the gallery."""

    stem: str              # file name without suffix, in figures/
    image: str             # path of its PNG in the site's sources
    caption: str           # the figure's title (the executed notebook's alt text), or its stem
    notebook: str | None   # stem of the notebook that draws it
    page_title: str        # that notebook page's title
    section: str | None    # label of the notebook section that shows it
    section_title: str     # that section's heading
    alt: str = ""          # its alt text: what it shows (the executed notebook's), if any


def gallery_page(entries: list[FigureEntry], *, box: str,
                 files: dict[str, str] | None = None) -> str:
    """The gallery: one section per notebook (titled by its question), one card per figure
    (sphinx-design) with its thumbnail, its caption and a link to the notebook section that
    draws it (or to the notebook's page when no section shows it); ``files`` (figure stem ->
    Markdown) adds the links that download its PNG and SVG to its card."""
    out = ["(gallery-page)=", "# Figure gallery", "",
           f"Every figure the pipeline wrote to `figures/` ({len(entries)}), in the order of the "
           "argument. A card leads to the notebook section that draws the figure; the links "
           "at its foot download the PNG and SVG files (from `figures/`).", "", box]
    groups: dict[str | None, list[FigureEntry]] = {}
    for e in entries:
        groups.setdefault(e.notebook, []).append(e)
    for notebook, group in groups.items():
        number = f" (notebook {notebook.split('_')[0]})" if notebook else ""
        heading = md_escape(group[0].page_title) if notebook else "Figures no notebook declares"
        # one figure a row, at the page's width: its labels stay readable
        out += [f"## {heading}{number}", "", "::::{grid} 1", ":gutter: 3", ""]
        for e in group:
            if e.section:
                link, kind = e.section, "ref"
                where = f", drawn in section {md_escape(e.section_title)}"
            elif e.notebook:
                link, kind, where = e.notebook, "doc", ", drawn in the notebook"
            else:
                link, kind, where = None, None, ": no notebook declares this figure"
            out += [f":::{{grid-item-card}} {md_escape(e.caption)}", f":img-top: {e.image}",
                    f":img-alt: {md_escape(e.alt or e.caption)}", ":class-card: gallery-card"]
            if link:
                out += [f":link: {link}", f":link-type: {kind}"]
            out += ["", f"`{e.stem}`{where}"]
            if files and files.get(e.stem):
                out += ["", f"Download: {files[e.stem]}"]
            out += [":::", ""]
        out += ["::::", ""]
    return "\n".join(out)
