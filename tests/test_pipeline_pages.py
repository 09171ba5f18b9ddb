"""The website's generated pages (collabcomm.pipeline.pages): what they say comes from the files
they are given, and text from those files appears exactly as written.

Each page is checked as Markdown here and rendered by the real Markdown parser (markdown-it, which
MyST is built on) where it matters; the built website is tested in tests/test_pipeline_site.py.
"""

from __future__ import annotations

import html
import re
import shlex

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from collabcomm.pipeline import pages
from collabcomm.pipeline.cli import _parser
from collabcomm.pipeline.params import ParamSpec, load_specs, parse_overrides
from collabcomm.schema import AUDIT_COLUMNS

ROW = dict.fromkeys(AUDIT_COLUMNS, "")


def _audit(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{**ROW, **r} for r in rows], columns=list(AUDIT_COLUMNS))


@pytest.fixture
def small_audit() -> pd.DataFrame:
    return _audit([
        {"check": "grim", "exhibit": "2", "quantity": "mean of x at N = 26", "published": "849.22",
         "reproduced": "possible N: 18, 23", "status": "inconsistent", "note": "a *typo*?"},
        {"check": "grim", "exhibit": "2", "quantity": "min of x", "published": "740",
         "reproduced": "whole", "status": "match"},
        {"check": "exhibit4_from_moments", "exhibit": "4", "quantity": "Model 5: collaborative",
         "published": "0.957", "reproduced": "0.5283 [0.5261, 0.5306]", "status": "inconsistent"},
        {"check": "exhibit4_stars_from_moments", "exhibit": "4",
         "quantity": "Model 5: collaborative (stars)", "published": "0.957**",
         "reproduced": "p in [0.037, 0.038]", "status": "inconsistent"},
        {"check": "exhibit4_from_moments", "exhibit": "4", "quantity": "Model 1: sed_pct",
         "published": "-0.65", "reproduced": "-0.6425", "status": "inconsistent"},
        {"check": "text_count", "exhibit": "text", "quantity": "C06: students",
         "published": "20800", "status": "not_checkable"},
    ])


# --- text from the pipeline's files, as written ------------------------------------------------

def _rendered_text(markdown: str) -> str:
    out = MarkdownIt("commonmark").render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", out)).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_escaped_text_renders_exactly_as_written(text):
    assert _rendered_text(pages.md_escape(text)) == " ".join(text.split())


def test_escaping_defuses_markup_and_math():
    for text in ("*not emphasis*", "$x$ is not math", "|a|b|", "`code`", "[link](x)",
                 "1. not a list", "# not a heading", "<b>no html</b>", "a\\b"):
        assert _rendered_text(pages.md_escape(text)) == text
        assert "<em>" not in MarkdownIt("commonmark").render(pages.md_escape(text))


# --- the reproduce box -------------------------------------------------------------------------

_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
_ELEMENT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs"),
                                          blacklist_characters=","), min_size=1, max_size=8)
_FLOATS = st.floats(allow_nan=False, allow_infinity=False)
TYPED = st.one_of(  # (declaration, value): every declared type, with null where it may be
    st.tuples(st.just(ParamSpec("p", "int", 0, nullable=True)),
              st.none() | st.integers(-10**12, 10**12)),
    st.tuples(st.just(ParamSpec("p", "float", 0.0, nullable=True)), st.none() | _FLOATS),
    st.tuples(st.just(ParamSpec("p", "bool", True)), st.booleans()),
    st.tuples(st.just(ParamSpec("p", "str", "")), _TEXT),
    st.tuples(st.just(ParamSpec("p", "path", None, nullable=True)),
              st.none() | _TEXT.filter(lambda t: t.strip() and t.strip() != "null")),
    st.tuples(st.just(ParamSpec("p", "list", [], items="float")), st.lists(_FLOATS, max_size=4)),
    st.tuples(st.just(ParamSpec("p", "list", [], items="int")),
              st.lists(st.integers(-1000, 1000), max_size=4)),
    st.tuples(st.just(ParamSpec("p", "list", [], items="str")), st.lists(_ELEMENT, max_size=3)),
)


@settings(max_examples=400, deadline=None)
@given(TYPED)
def test_an_override_reads_back_as_the_same_value(typed):
    """What the box writes after ``-p name=`` is what the command line reads, by the
    parameter's declared type."""
    spec, value = typed
    text = parse_overrides([f"p={pages.override_text(value)}"])["p"]
    assert spec.coerce(text, "04_regressions") == value


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,12}", fullmatch=True), TYPED, max_size=5))
def test_the_command_parses_back_to_the_notebook_and_its_values(typed):
    values = {name: value for name, (_, value) in typed.items()}
    command = pages.reproduce_command("04_regressions", values)
    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[:4] == [".venv/bin/python", "-m", "collabcomm", "html"]
    args = _parser().parse_args(argv[3:])
    assert args.command == "html" and args.only == ["04"] and args.force
    texts = parse_overrides(args.param)
    assert list(texts) == list(values)
    assert {name: spec.coerce(texts[name], "04") for name, (spec, _) in typed.items()} == values


def test_the_box_shows_every_parameter_with_its_default_and_meaning():
    specs = load_specs()
    values = specs["07_classroom_power"].defaults() | {"n_schools": 50}
    box = pages.reproduce_box("07_classroom_power", values, specs)
    assert box.startswith("::::{admonition} Reproduce this page") and box.rstrip().endswith("::::")
    assert "--only 07 --force" in box and "-p n_schools=50 \\" in box
    rows = [ln for ln in box.splitlines() if ln.startswith("| `")]
    assert [r.split("`")[1] for r in rows] == list(values)
    n_schools = next(r for r in rows if r.startswith("| `n_schools`"))
    assert n_schools.split(" | ")[1:3] == ["50", "26"]
    assert pages.md_escape(specs["07_classroom_power"].parameters["reps"].help) in box
    everything = pages.reproduce_box(what="the figures")
    assert "\n.venv/bin/python -m collabcomm html --force\n" in everything
    assert "| `" not in everything


# --- the findings and the audit ------------------------------------------------------------------

def test_status_counts_per_exhibit_in_the_files_order(small_audit):
    counts = pages.status_counts(small_audit)
    assert list(counts.index) == ["2", "4", "text", "all"]
    assert list(counts.columns) == ["checked", "match", "inconsistent", "not_checkable"]
    assert counts.loc["4"].tolist() == [3, 0, 3, 0]
    assert counts.loc["all"].tolist() == [6, 1, 4, 1]


def test_findings_are_counted_from_the_audit_rows(small_audit):
    text = pages.findings(small_audit)
    assert "checked **6** published numbers" in text
    assert "**1 match, 4 inconsistent, 1 not checkable**" in text
    assert ("| {ref}`Exhibit 4: six OLS models of 2012 API scores <audit-exhibit-4>` "
            "| 3 | 0 | 3 | 0 |") in text
    # examples: one per check family first, values as written
    line4 = next(ln for ln in text.splitlines() if ln.startswith("- **Exhibit 4"))
    assert _rendered_text(line4) == (
        "Exhibit 4: six OLS models of 2012 API scores: 3 inconsistent, for example Model 5: "
        "collaborative (published 0.957; found 0.5283 [0.5261, 0.5306]) and Model 5: "
        "collaborative (stars) (published 0.957**; found p in [0.037, 0.038]); 1 more {ref}on "
        "the audit page <audit-exhibit-4>.")  # the role, as plain Markdown shows it
    three = pages.findings(small_audit, examples=3)
    line4 = next(ln for ln in three.splitlines() if ln.startswith("- **Exhibit 4"))
    assert "more" not in line4
    # the third example in the paper's words, not the file's identifier
    assert _rendered_text(line4).endswith(
        "and Model 1: % SED (published -0.65; found -0.6425).") and "sed_pct" not in line4
    assert not any(ln.startswith("- **Claims") for ln in text.splitlines())  # none inconsistent
    # another file, other findings: nothing is typed
    fewer = pages.findings(small_audit[small_audit.status != "inconsistent"])
    assert "checked **2** published numbers" in fewer and "inconsistent" not in fewer


def test_findings_say_when_there_is_no_audit_yet():
    assert "has not run yet" in pages.findings(None)
    assert "has not run yet" in pages.findings(_audit([]))


def test_the_audit_page_lists_every_row_with_its_status(small_audit):
    page = pages.audit_page(small_audit, box="BOX")
    assert "BOX" in page and ":::{container} audit-filter" in page
    assert page.startswith("---\nhtml_theme.sidebar_secondary.remove: true\n---\n")
    assert [ln for ln in page.splitlines() if ln.startswith("(audit-exhibit-")] == [
        "(audit-exhibit-2)=", "(audit-exhibit-4)=", "(audit-exhibit-text)="]
    rows = re.findall(r"^\* - (.*(?:\n  -.*)*)", page, re.M)
    assert len(rows) == 3 + len(small_audit)  # a header row per exhibit
    cells = [[c.strip() for c in re.split(r"\n  - ?", r)] for r in rows]
    header = cells[0]
    assert header == ["check", "quantity", "published", "reproduced", "status", "note"]
    body = [c for c in cells if c != header]
    # in words: the fixture's Model 1: sed_pct reads as Exhibit 4 labels it
    assert [_rendered_text(c[1]) for c in body] == [
        "mean of x at N = 26", "min of x", "Model 5: collaborative",
        "Model 5: collaborative (stars)", "Model 1: % SED", "C06: students"]
    assert [_rendered_text(c[0]) for c in body][-2:] == ["exhibit4_from_moments",
                                                          "text_count"]  # codes kept
    assert [c[4] for c in body] == ["{bdg-danger}`inconsistent`", "{bdg-success}`match`",
                                    "{bdg-danger}`inconsistent`", "{bdg-danger}`inconsistent`",
                                    "{bdg-danger}`inconsistent`", "{bdg-secondary}`not checkable`"]
    assert _rendered_text(body[0][5]) == "a *typo*?"
    assert "2 rows: 1 match, 1 inconsistent." in page
    assert "does not exist yet" in pages.audit_page(None, box="BOX")


def test_the_landing_page_fills_its_template(small_audit):
    page = pages.landing_page(small_audit, box="BOX", toc="TOC", headline="- HEADLINE\n",
                              rerun="RERUN", cite="CITE")
    # the heading is not the site's name, so the browser's title does not say it twice
    assert page.startswith("(landing-page)=\n# Collaborative community, reproduced and audited\n")
    assert pages.findings(small_audit) in page and "BOX" in page and page.rstrip().endswith("TOC")
    # the first screen: the claims, the headline findings, then the rerun and cite boxes
    first = page[:page.index("## The papers and the companion")]
    assert "**What the papers claim.**" in first
    assert first.index("- HEADLINE") < first.index("RERUN") < first.index("CITE")
    assert "The README's findings are not available" in pages.landing_page(
        small_audit, box="BOX", toc="TOC")
    assert "published nowhere" in page and "{figure}" not in page
    # no placeholder left (a directive such as ::::{grid} is MyST, not a placeholder)
    placeholder = re.compile(r"(?<![{:])\{[a-z_]+\}(?!`)")
    assert placeholder.search("a {cite} left") and not placeholder.search("::::{grid} 1 2")
    assert not placeholder.search(page)
    grid = pages.FigureEntry("audit_grid", "figures/audit_grid.png", "Audit: every number",
                             "06_x", "Which hold?", "06-x-section-1", "Summary")
    page = pages.landing_page(small_audit, box="BOX", toc="TOC", figure=grid)
    assert (":::{figure} figures/audit_grid.png\n:alt: Audit\\: every number\n:width: 100%\n\n"
            "Audit\\: every number: `audit_grid` (drawn in {ref}`Summary <06-x-section-1>`).\n:::"
            ) in page


# --- the gallery ---------------------------------------------------------------------------

def test_the_gallery_has_a_card_per_figure_linking_to_its_section():
    entries = [
        pages.FigureEntry("power_curve", "figures/power_curve.png", "Power by schools",
                          "07_classroom_power", "How likely?", "07-classroom-power-section-2",
                          "2. Power against the number of schools"),
        pages.FigureEntry("loose", "figures/loose.png", "loose", "07_classroom_power",
                          "How likely?", None, ""),
        pages.FigureEntry("orphan", "figures/orphan.png", "orphan", None, "", None, ""),
    ]
    page = pages.gallery_page(entries, box="BOX", files={"loose": "LINKS"})
    cards = page.split(":::{grid-item-card} ")[1:]
    assert len(cards) == 3
    assert "\n\nDownload: LINKS\n:::" in cards[1] and "Download" not in cards[0]
    assert ":img-top: figures/power_curve.png" in cards[0]
    assert ":link: 07-classroom-power-section-2\n:link-type: ref" in cards[0]
    assert ":link: 07_classroom_power\n:link-type: doc" in cards[1]
    assert ":link:" not in cards[2]
    assert "`power_curve`, drawn in section 2\\. Power against the number of schools" in cards[0]
    assert "`orphan`: no notebook declares this figure" in cards[2]
    assert "## How likely\\? (notebook 07)" in page and "## Figures no notebook declares" in page
    assert "Every figure the pipeline wrote to `figures/` (3)" in page
