"""Shared fixtures."""

from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import pytest

from collabcomm.memo import CACHE_ENV  # noqa: E402 (numpy-free)
from collabcomm.paths import SINGLE_BLAS_THREAD  # noqa: E402 (numpy-free)

# One BLAS thread in the test process, as in the kernels the pipeline starts: on a busy machine
# a second thread per process only competes for the cores (a reconciliation test took 22 s
# instead of 0.5 s). Nothing imported so far imports numpy.
for _var, _value in SINGLE_BLAS_THREAD.items():
    os.environ.setdefault(_var, _value)
# The pipeline's disk cache (collabcomm.memo) is the run's own build/cache: a folder named by the
# caller's environment would let one test's results reach another's.
os.environ.pop(CACHE_ENV, None)

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

import seed_exhibits  # noqa: E402


@pytest.fixture(scope="session")
def paper() -> str:
    """Text of paper 001; skips the test when the shared seeds folder is absent."""
    if seed_exhibits.seeds_dir() is None:
        pytest.skip("paper text (../shared/seeds) not available; set COLLABCOMM_SEEDS")
    return seed_exhibits.paper_text("001")


def raw_rows(name: str) -> list[dict[str, str]]:
    """A published CSV's rows exactly as stored (strings)."""
    with open(REPO / "data" / "published" / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def minimal_codebook(**changes) -> dict:
    """A small valid codebook as a mapping (two scales of two 1-5 items), with ``changes``
    replacing its keys: the starting point of the codebook tests."""
    raw = {"respondent": "r", "unit": "u", "response_scale": {"min": 1, "max": 5},
           "items": [{"id": "a1", "scale": "a"}, {"id": "a2", "scale": "a"},
                     {"id": "b1", "scale": "b"}, {"id": "b2", "scale": "b"}]}
    raw.update(changes)
    return raw


@pytest.fixture(scope="session")
def audited_paper():
    """The published tables, Exhibit 4's ranges from Exhibits 2-3, the audit's rows and its
    inconsistent findings, all at the paper's N = 26 (tests of audit.explanations and
    audit.rescaling)."""
    from collabcomm import audit
    from collabcomm.audit import explanations

    tables = audit.published_tables()
    desc, corr = tables["descriptives"], tables["correlations"]
    ranges = audit.exhibit4_ranges(desc, corr, 26)
    rows = audit.run_checks(tables, 26, ranges=ranges)
    return tables, ranges, rows, explanations.findings(rows, 26)


def tree_digest(folder: Path, *, skip: str | None = None) -> dict[str, str]:
    """SHA-256 of every file below ``folder`` (relative POSIX path -> hex digest); a first-level
    folder named ``skip`` is left out."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not (skip and p.relative_to(folder).parts[0] == skip)}


def pytest_collection_modifyitems(config, items):
    """Every test that executes notebooks (marker ``notebooks``) is also ``slow``, so that
    ``pytest -m "not slow"`` is the quick check (under a minute).

    The cross-machine matrix (full runs under emulated CPUs) runs only when asked for by
    marker, as ``make test-matrix`` does (``-m matrix``); ``make test`` and any other marker
    expression leave it out."""
    for item in items:
        if item.get_closest_marker("notebooks") is not None:
            item.add_marker(pytest.mark.slow)
    if "matrix" in (config.option.markexpr or ""):
        return
    keep = [item for item in items if item.get_closest_marker("matrix") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


PROJECT_INPUTS = ("notebooks", "data/published", "data/theory", "data/examples")
"""What a pipeline run reads: a copy of these is a project whose outputs can be compared with
the committed ones."""


def copy_inputs(root: Path) -> Path:
    """Copy the project's inputs (:data:`PROJECT_INPUTS`) into ``root``; returns ``root``."""
    import shutil

    for sub in PROJECT_INPUTS:
        if (REPO / sub).exists():
            shutil.copytree(REPO / sub, root / sub)
    return root


@pytest.fixture(scope="session")
def full_run(tmp_path_factory):
    """One forced run of every notebook, with the default parameters and the default number
    of concurrent notebooks, in a temporary copy of the project's inputs (and ``vendor/``, for
    the rendering tests). Shared by the tests that only read what a run produces: committed
    outputs are current, two runs are identical, rendered pages work offline. Returns
    ``(root, report)``; tests must not change ``data/derived``, ``figures`` or ``build/notebooks``
    under ``root``."""
    import io
    import shutil

    from collabcomm import pipeline

    root = copy_inputs(tmp_path_factory.mktemp("full_run") / "proj")
    shutil.copytree(REPO / "vendor", root / "vendor")
    report = pipeline.run(root, force=True, progress=False, out=io.StringIO())
    return root, report


@pytest.fixture(scope="session")
def built_site(full_run):
    """The website built once from :func:`full_run`'s notebooks, shared by the tests that
    read it: ``(root, build/html)``."""
    from collabcomm.pipeline import site

    root, report = full_run
    assert report.ok, report.failure and report.failure.message
    return root, site.build_site(root).parent


NOTEBOOK_SETUP = """\
import time
from pathlib import Path
from collabcomm.outputs import write_text
from collabcomm.paths import project
P = project()
"""
"""The second cell of every generated notebook (:func:`make_project`)."""


def make_project(root: Path, notebooks: dict[str, tuple[str, str]], params_yaml: str) -> Path:
    """A project of small generated notebooks: ``notebooks`` maps a name to its parameters
    cell (tagged ``parameters``) and its body, which runs after :data:`NOTEBOOK_SETUP`;
    ``params_yaml`` is its notebooks/params.yaml. Returns ``root``."""
    import nbformat

    (root / "notebooks").mkdir(parents=True)
    for name, (params, body) in notebooks.items():
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        nb.cells = [cell, nbformat.v4.new_code_cell(NOTEBOOK_SETUP),
                    nbformat.v4.new_code_cell(body)]
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    (root / "notebooks" / "params.yaml").write_text(params_yaml)
    return root


@pytest.fixture(scope="session")
def consistent():
    """A reconstruction (integer API and size) and the published-format tables it implies: the
    hand-made input of the audit's planted tests (tests/test_audit_*.py)."""
    from tables import tables_from_data

    from collabcomm import reconstruct

    data = reconstruct.schools(11, integer_columns=["api_2012", "api_2011", "school_size"])
    return data, tables_from_data(data)


@pytest.fixture(scope="session")
def paper_audit():
    """Every check on the paper's own tables (collabcomm.audit.run_all)."""
    from collabcomm import audit

    return audit.run_all(draws=1000)


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the project's notebooks and data (inputs and committed outputs) in a temporary
    folder, for tests that run or break the pipeline there."""
    root = tmp_path / "proj"
    for sub in ("notebooks", "data"):
        shutil.copytree(REPO / sub, root / sub)
    return root


@pytest.fixture(scope="session")
def missing_ref():
    """R's values for the data with missing answers (tests/reference/psych_missing.R)."""
    from reference_missing import reference

    return reference()


@pytest.fixture(scope="session")
def missing_surveys(tmp_path_factory):
    """lq2002 with 5 % of answers deleted and multilevel's cohesion, each read through its
    codebook: name -> (responses, codebook)."""
    from reference_missing import cohesion_file, lq2002_codebook, lq2002_missing_file

    from collabcomm import instrument

    folder = tmp_path_factory.mktemp("missing")
    lq_cb = lq2002_codebook()
    coh_path, coh_cb = cohesion_file(folder)
    return {"lq2002_missing": (instrument.read_survey(lq2002_missing_file(folder), lq_cb), lq_cb),
            "cohesion": (instrument.read_survey(coh_path, coh_cb), coh_cb)}

