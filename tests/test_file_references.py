"""A reader has only the repository: every file that the documentation names must be in it.

Checked texts: every Markdown file (README.md, data/README.md, vendor/README.md), every cell of
every notebook, the help texts of notebooks/params.yaml, and the docstrings and comments of
lib/collabcomm. A file name there (``data/README.md``, ``exhibit1_items.csv``, a Markdown link)
must name a file of the repository: a path relative to the root or to the text's own folder,
or, for a bare name, a file of that name anywhere in the repository. Generated files under
``build/``, patterns (``<stem>_schools.csv``, ``power_*.csv``) and the placeholder names that
stand for a reader's own files (listed in ``PLACEHOLDERS``) are not files of the repository and
are left out. A Markdown link to a section (``data/README.md#school-level-variables``) must
name a heading of that file.

The codebook's section on the shared interfaces is checked against the code as well, so that
the documentation the references point to cannot drift from what the library uses.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import pytest
import yaml

from collabcomm import models, schema

REPO = Path(__file__).resolve().parents[1]
SKIP_DIRS = {".git", ".venv", "build", "__pycache__", ".pytest_cache", ".ruff_cache",
             ".hypothesis", "node_modules"}
EXTENSIONS = ("md", "csv", "py", "ipynb", "yaml", "yml", "txt", "png", "svg", "R", "toml",
              "json", "html", "sh", "j2", "cfg", "ini", "tgz")
_EXT = "|".join(EXTENSIONS)
FILE_NAME = re.compile(r"(?<![\w./\\=-])((?:\.{1,2}/)?[\w.-]+(?:/[\w.-]+)*\.(?:" + _EXT
                       + r"))(#[\w-]+)?(?![\w/])")
# names that stand for files a reader makes or brings, not files of the repository
PLACEHOLDERS = {
    "SURVEY.csv", "SCORES.csv",  # README: `collabcomm score SURVEY.csv --out SCORES.csv`
    "my_district.csv",  # README: population_path example
    "results.csv",  # written by a sweep into build/sweeps/<notebook>/
    "index.html",  # written by `make html` into build/html/
    "07_classroom_power.slides.html",  # written by `make slides` into build/slides/
}


def repository_files() -> set[Path]:
    return {p.relative_to(REPO) for p in REPO.rglob("*")
            if p.is_file() and not SKIP_DIRS & set(p.relative_to(REPO).parts)
            and not any(part.endswith(".egg-info") for part in p.relative_to(REPO).parts)}


FILES = repository_files()
BASENAMES = {p.name for p in FILES}


def github_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a Markdown file's headings."""
    out = set()
    for line in markdown.splitlines():
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            text = re.sub(r"[`*_]", "", m.group(1)).strip().lower()
            out.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return out


def missing_files(text: str, folder: Path) -> list[str]:
    """File names in ``text`` (which lives in ``folder``, relative to the repository) that are
    not files of the repository, and section links to headings that do not exist."""
    problems = []
    for m in FILE_NAME.finditer(text):
        name, anchor = m.group(1), m.group(2)
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        if before in "*<>{}$" and before or after == "*":
            continue  # a pattern such as power_*.csv or <stem>_items.csv
        clean = name.removeprefix("./")
        if clean.startswith(("build/", ".venv/", "/", "_", "-")) or clean in PLACEHOLDERS:
            continue  # generated, outside, a suffix (`_items.csv`) or a reader's own file
        if "/" in clean:
            candidates = [REPO / clean, REPO / folder / clean]
            found = next((c for c in candidates if c.is_file()
                          and c.resolve().is_relative_to(REPO)), None)
        else:
            found = next((REPO / p for p in sorted(FILES) if p.name == clean), None)
        if found is None:
            problems.append(name)
        elif anchor and found.suffix == ".md":
            if anchor[1:] not in github_anchors(found.read_text(encoding="utf-8")):
                problems.append(f"{name}{anchor} (no such section)")
    return problems


def texts() -> list[tuple[str, Path, str]]:
    """(label, folder, text) of every checked text."""
    out = []
    for path in sorted(p for p in FILES if p.suffix == ".md"):
        out.append((str(path), path.parent, (REPO / path).read_text(encoding="utf-8")))
    for path in sorted(p for p in FILES if p.parts[0] == "notebooks" and p.suffix == ".ipynb"):
        for i, cell in enumerate(json.loads((REPO / path).read_text(encoding="utf-8"))["cells"]):
            out.append((f"{path} cell {i}", Path("."), "".join(cell["source"])))
    params = yaml.safe_load((REPO / "notebooks/params.yaml").read_text(encoding="utf-8"))
    for nb, spec in params["notebooks"].items():
        for name, p in spec.get("parameters", {}).items():
            out.append((f"notebooks/params.yaml {nb}.{name}", Path("."), str(p.get("help", ""))))
    for path in sorted(p for p in FILES if p.parts[:2] == ("lib", "collabcomm")
                       and p.suffix == ".py"):
        source = (REPO / path).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                          | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    out.append((f"{path} docstring of {getattr(node, 'name', 'the module')}",
                                Path("."), doc))
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out.append((f"{path} line {tok.start[0]} comment", Path("."), tok.string))
    return out


def test_the_check_finds_a_file_the_repository_does_not_have():
    text = ("The school columns are in DESIGN.md and data/README.md; see [the codebook]"
            "(data/README.md#school-level-variables), [nothing](data/README.md#no-such-part), "
            "published/exhibit1_items.csv, power_*.csv, <stem>_items.csv and build/x/y.csv.")
    assert missing_files(text, Path("data")) == [
        "DESIGN.md", "data/README.md#no-such-part (no such section)"]
    assert missing_files("see exhibit9_items.csv", Path(".")) == ["exhibit9_items.csv"]
    assert missing_files("figures/power_curve.png, tests/reference/lm_reference.R", Path(".")) == []


def test_every_kind_of_text_is_checked():
    labels = [label for label, _, _ in texts()]
    for kind in ("README.md", "data/README.md", "vendor/README.md", "notebooks/07_classroom_power.ipynb cell",
                 "notebooks/params.yaml 07_classroom_power.population_path",
                 "lib/collabcomm/simulate.py docstring", "lib/collabcomm/paths.py docstring"):
        assert any(label.startswith(kind) for label in labels), kind


def test_no_text_names_a_file_the_repository_does_not_have():
    problems = [f"{label}: {', '.join(found)}" for label, folder, text in texts()
                if (found := missing_files(text, folder))]
    assert not problems, ("these texts name files that are not in the repository (a reader has "
                          "only the repository):\n" + "\n".join(problems))


# --- the codebook's shared interfaces agree with the code ---------------------------------------

def _codebook_section(title: str) -> str:
    text = (REPO / "data/README.md").read_text(encoding="utf-8")
    start = text.index(f"### {title}\n")
    end = min(i for i in (text.find("\n## ", start), text.find("\n### ", start + 4)) if i > 0)
    return text[start:end]


def _table_column(section: str, column: int) -> list[str]:
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [r.split("|")[column + 1].strip() for r in rows[1:]]  # without the header


def test_codebook_lists_the_school_columns_of_the_schema_in_order():
    names = [c.strip("`") for c in _table_column(_codebook_section("School-level variables"), 0)]
    assert names == list(schema.SCHOOL_COLUMNS)


def test_codebook_lists_the_20_item_ids_of_the_schema_in_exhibit_1_order():
    section = _codebook_section("Item ids")
    scales = [c.strip("`") for c in _table_column(section, 0)]
    ids = [i.strip(" `") for cell in _table_column(section, 2) for i in cell.split(",")]
    assert [s.split()[0] for s in scales] == list(schema.SCALES)
    assert ids == list(schema.ITEM_IDS)
    facets = re.findall(r"`(\w+)`", section.split("The facets (`<facet>`), in order:")[1]
                        .split("The 20 ids")[0])
    assert facets == list(schema.FACETS)


@pytest.mark.parametrize("model", range(1, 7))
def test_codebook_gives_each_model_the_formula_the_code_fits(model):
    section = _codebook_section("Model specifications")
    formulas = dict(zip(_table_column(section, 0), _table_column(section, 1), strict=True))
    assert formulas[str(model)].strip("`") == models.formula(model)
