"""The library's layers (README.md, *Architecture*): a lower layer never imports a higher one,
and no modules import each other in a cycle.

Read from the source with the standard library's ``ast``, every import counted, those inside
functions too (the library defers heavy imports into functions, and a deferred import is still
a dependency). ``ast`` rather than import-linter: the rule is one table and forty lines here,
the test needs no new pinned dependency in requirements.txt and environment.yml, and it sees the
imports inside functions that the rule is also about.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[1] / "lib" / "collabcomm"

LAYERS: dict[str, tuple[str, ...]] = {
    # lowest first; a module may import its own layer and the layers above it in this list
    "core": ("collabcomm", "collabcomm.paths", "collabcomm.schema", "collabcomm.errors",
             "collabcomm.published", "collabcomm.precision", "collabcomm.lazy",
             "collabcomm.outputs", "collabcomm.yamlfile", "collabcomm.memo"),
    "science": ("collabcomm.typology", "collabcomm.codebook", "collabcomm.instrument",
                "collabcomm.reliability", "collabcomm.intraclass", "collabcomm.omega", "collabcomm.synthetic_survey",
                "collabcomm.survey", "collabcomm.reconstruct", "collabcomm.moments",
                "collabcomm.modelspec", "collabcomm.schooldata", "collabcomm.models",
                "collabcomm.significance", "collabcomm.simulate", "collabcomm.classroom"),
    "audit": ("collabcomm.audit",),
    "figures": ("collabcomm.figures",),
    # presentation for readers: formats what the layers below return, computes no statistic
    "presentation": ("collabcomm.present", "collabcomm.live"),
    "machinery": ("collabcomm.pipeline", "collabcomm.__main__"),
}
"""Each layer's modules; a name stands for the module and every module below it (a package)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(LIB.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(LIB.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The collabcomm modules that ``name`` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base, *(f"{base}.{a.name}" for a in node.names)]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def layer_of(name: str) -> int:
    for rank, members in enumerate(LAYERS.values()):
        for m in members:
            if name == m or (m != "collabcomm" and name.startswith(m + ".")):
                return rank
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in tests/test_architecture.py "
                         "and to README.md's Architecture section")


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def test_every_module_has_a_layer(graph):
    for name in graph:
        layer_of(name)


def test_no_module_imports_a_higher_layer(graph):
    names = list(LAYERS)
    bad = [f"{a} ({names[layer_of(a)]}) imports {b} ({names[layer_of(b)]})"
           for a, targets in graph.items() for b in sorted(targets)
           if layer_of(b) > layer_of(a)]
    assert bad == []


def test_no_import_cycles(graph):
    # a package's __init__ gathering its own modules is not a cycle of the design
    edges = {a: {b for b in bs if not b.startswith(a + ".")} for a, bs in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node, stack):
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n, [n])
    assert cycles == []


def test_the_rule_catches_a_planted_upward_import(tmp_path):
    # the checker itself: a science module importing the audit is found
    planted = tmp_path / "models.py"
    planted.write_text("def f():\n    from .audit import grim\n    from . import figures\n")
    found = imports("collabcomm.models", planted,
                    {"collabcomm.audit", "collabcomm.audit.grim", "collabcomm.figures"})
    assert found == {"collabcomm.audit", "collabcomm.audit.grim", "collabcomm.figures"}
    assert all(layer_of(t) > layer_of("collabcomm.models") for t in found)


NO_TEST_FILE = {
    "collabcomm": "the package's docstring and version",
    "collabcomm.__main__": "two lines handing over to collabcomm.pipeline.cli (test_pipeline_cli.py)",
    "collabcomm.pipeline": "re-exports of its modules, each with its own test file",
    "collabcomm.present": "re-exports of its modules, each with its own test file",
    "collabcomm.paths": "used by every test that runs anything; its errors in test_pipeline_cli.py",
    "collabcomm.schema": "names only, used by the tests of every module that uses them",
    "collabcomm.errors": "the error types; each is raised and named in the tests of its module",
}
"""Modules without a mirrored test file of their own, and where they are tested instead."""


def test_every_module_has_a_mirrored_test_file():
    tests = Path(__file__).resolve().parent
    missing = [name for name in modules() if name not in NO_TEST_FILE
               and not (tests / f"test_{name.removeprefix('collabcomm.').replace('.', '_')}.py"
                        ).is_file()]
    assert missing == [], ("each module lib/collabcomm/a/b.py is tested by tests/test_a_b.py; "
                           f"none for {missing}")


MAX_LINES = 450
"""About the most a module holds before it holds two concepts (issue 16)."""


def test_no_module_is_over_the_size_of_one_concept():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}, f"split these modules where they hold two concepts: {long}"
