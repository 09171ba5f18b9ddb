"""Notebooks run concurrently where their data allow it, and a failure stops only what
depends on it. A generated project of four small notebooks:

    01_a  writes data/derived/a.txt          (waits at a barrier for 02_b when asked)
    02_b  writes data/derived/b.txt          (independent of 01_a)
    03_c  reads a.txt, writes data/derived/c.txt
    04_d  reads c.txt, writes figures/d.txt
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import make_project

from collabcomm import pipeline
from collabcomm.errors import ParameterError
from collabcomm.paths import project
from collabcomm.pipeline.params import load_specs

pytestmark = pytest.mark.notebooks

BARRIER = """\
if barrier:
    # meet the other notebook: proves the two run at the same time
    Path(barrier, NAME).touch()
    deadline = time.time() + 120
    while not Path(barrier, OTHER).exists():
        if time.time() > deadline:
            raise RuntimeError(f"{NAME}: {OTHER} never started")
        time.sleep(0.05)
"""


NOTEBOOKS = {
    "01_a": ('barrier = ""\nfail = False\n',
             'NAME, OTHER = "a", "b"\n' + BARRIER
             + 'if fail:\n    raise RuntimeError("planted failure in 01_a")\n'
             + 'write_text(P.derived / "a.txt", "a\\n")\n'),
    "02_b": ('barrier = ""\n',
             'NAME, OTHER = "b", "a"\n' + BARRIER + 'write_text(P.derived / "b.txt", "b\\n")\n'),
    "03_c": ("",
             'write_text(P.derived / "c.txt", (P.derived / "a.txt").read_text() + "c\\n")\n'),
    "04_d": ("",
             'write_text(P.figures / "d.txt", (P.derived / "c.txt").read_text() + "d\\n")\n'),
}

PARAMS = """\
notebooks:
  01_a:
    outputs: [data/derived/a.txt]
    parameters:
      barrier: {default: "", type: str, help: folder where the two first notebooks meet}
      fail: {default: false, type: bool, help: plant a failure}
  02_b:
    outputs: [data/derived/b.txt]
    parameters:
      barrier: {default: "", type: str, help: folder where the two first notebooks meet}
  03_c:
    inputs: [data/derived/a.txt]
    outputs: [data/derived/c.txt]
  04_d:
    inputs: [data/derived/c.txt]
    outputs: [figures/d.txt]
"""


@pytest.fixture
def proj(tmp_path):
    root = make_project(tmp_path / "proj", NOTEBOOKS, PARAMS)
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "module.py").write_text("X = 1\n")
    return root, lib


def _run(root: Path, lib: Path, **kw):
    out = io.StringIO()
    report = pipeline.run(root, lib_dir=lib, progress=False, out=out, **kw)
    return report, out.getvalue()


def test_dependencies_follow_declared_inputs_and_outputs(proj):
    root, _ = proj
    paths = project(root)
    specs = load_specs(paths.params_file)
    names = list(NOTEBOOKS)
    values = {nb: specs[nb].defaults() for nb in names}
    assert pipeline.dependencies(paths, specs, names, values) == {
        "01_a": [], "02_b": [], "03_c": ["01_a"], "04_d": ["03_c"]}
    # a notebook left out of the selection is not waited for
    assert pipeline.dependencies(paths, specs, ["02_b", "04_d"], values) == {
        "02_b": [], "04_d": []}


def test_the_companions_own_dependencies():
    # what the real params.yaml declares: 04 needs 03's schools, 05 needs 02's teachers and
    # 03's schools, 06 needs 03's and 05's reproduced exhibits; 01 and 07 need nothing
    paths = project()
    specs = load_specs(paths.params_file)
    names = pipeline.discover(paths)
    values = {nb: specs[nb].defaults() for nb in names}
    deps = pipeline.dependencies(paths, specs, names, values)
    assert {nb[:2]: [d[:2] for d in ds] for nb, ds in deps.items()} == {
        "01": [], "02": [], "03": [], "04": ["03"], "05": ["02", "03"], "06": ["03", "05"],
        "07": []}


def test_independent_notebooks_run_at_the_same_time(proj, tmp_path):
    root, lib = proj
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    report, text = _run(root, lib, jobs=2, overrides={"barrier": str(barrier)})
    assert report.ok, report.failure and report.failure.message
    assert [r.status for r in report.runs] == ["ran"] * 4
    assert (root / "figures/d.txt").read_text() == "a\nc\nd\n"
    assert "(2 at a time)" in text and "wall time" in text
    assert report.wall < sum(r.seconds for r in report.runs)


def test_one_at_a_time_when_asked(proj):
    root, lib = proj
    report, text = _run(root, lib, jobs=1)
    assert report.ok and "at a time" not in text
    stamps = [json.loads((root / "build/stamps" / f"{nb}.json").read_text())
              for nb in NOTEBOOKS]
    assert stamps[3]["outputs"] == ["figures/d.txt"]


def test_a_failure_stops_only_what_depends_on_it(proj):
    root, lib = proj
    report, text = _run(root, lib, jobs=2, overrides={"fail": True})
    assert not report.ok
    assert [r.status for r in report.runs] == ["failed", "ran", "not run", "not run"]
    assert "RuntimeError: planted failure in 01_a" in report.failure.message
    assert report.runs[2].message == "not run: it needs 01_a, which failed"
    assert report.runs[3].message == "not run: it needs 03_c, which was not run"
    assert "03_c: not run: it needs 01_a, which failed" in text
    assert (root / "data/derived/b.txt").is_file()
    assert not (root / "data/derived/a.txt").exists()
    # the next run reruns what did not succeed and skips what did
    report, _ = _run(root, lib, jobs=2)
    assert [r.status for r in report.runs] == ["ran", "skipped", "ran", "ran"]


@pytest.mark.parametrize("jobs", [0, -1, 1.5, True, "2"])
def test_bad_jobs_refused_before_anything_runs(proj, jobs):
    root, lib = proj
    with pytest.raises(ParameterError, match="jobs: .* is not a positive whole number"):
        _run(root, lib, jobs=jobs)
    assert not (root / "build").exists()
