"""Code style: ruff (configured in pyproject.toml) finds nothing in lib, tests and notebooks."""

from __future__ import annotations

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

    for path in sorted((REPO / "lib" / "collabcomm").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in [tree, *ast.walk(tree)]:
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node, clean=False)
                if doc:
                    yield f"{path.name}:{getattr(node, 'name', '<module>')}", doc


def test_no_control_characters_in_docstrings():
    # "\beta" or "\frac" in a non-raw docstring becomes a backspace or a form feed
    import re

    docs = list(_docstrings())
    assert len(docs) > 100
    bad = [(where, sorted({hex(ord(c)) for c in re.findall(r"[\x00-\x08\x0b-\x1f\x7f]", doc)}))
           for where, doc in docs if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", doc)]
    assert not bad, f"control characters in docstrings (make them raw strings): {bad}"


def test_the_control_character_check_can_fail():
    import re

    assert re.search(r"[\x00-\x08\x0b-\x1f\x7f]", "slope \beta and \frac12")
