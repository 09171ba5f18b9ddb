"""Code style: ruff (configured in pyproject.toml) finds nothing in lib, tests and notebooks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_is_clean():
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "lib", "tests", "notebooks"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _docstrings():
    """(where, docstring) of every module, class and function in lib/collabcomm."""
    import ast

    for path in sorted((REPO / "lib" / "collabcomm").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in [tree, *ast.walk(tree)]:
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    yield f"{path.name}:{getattr(node, 'name', '<module>')}", doc


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
"""Characters no docstring should hold: what "\\beta" or "\\frac" become in a non-raw one."""


def _control_characters(doc: str) -> list[str]:
    return sorted({hex(ord(c)) for c in CONTROL.findall(doc)})


def test_no_control_characters_in_docstrings():
    docs = list(_docstrings())
    assert len(docs) > 100
    bad = [(where, _control_characters(doc)) for where, doc in docs if CONTROL.search(doc)]
    assert not bad, f"control characters in docstrings (make them raw strings): {bad}"


def test_the_control_character_check_finds_escapes():
    # a non-raw "slope \beta and \frac12" holds a backspace and a form feed; tabs count too
    assert _control_characters("slope \beta and \frac12") == ["0x8", "0xc"]
    assert _control_characters(r"slope \beta and \frac12") == []
