"""The papermill pipeline, end to end, in a temporary project directory.

The fixture project (tests/fixtures/project) has one notebook that reads
data/published/numbers.txt and writes data/derived/fixture.csv and figures/fixture.txt.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from collabcomm import pipeline
from collabcomm.errors import NotebookError, ParameterError

pytestmark = pytest.mark.notebooks
FIXTURE = Path(__file__).parent / "fixtures" / "project"


@pytest.fixture
def proj(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(FIXTURE, root)
    lib = tmp_path / "lib"  # stands in for lib/collabcomm in the skip/rerun tests
    lib.mkdir()
    (lib / "module.py").write_text("X = 1\n")
    return root, lib


def _run(root, lib, **kw):
    out = io.StringIO()
    report = pipeline.run(root, lib_dir=lib, progress=False, out=out, **kw)
    return report, out.getvalue()


def test_runs_fixture_with_injected_parameters(proj):
    root, lib = proj
    report, text = _run(root, lib, overrides={"scale": 3, "label": "injected"})
    assert report.ok, report.failure and report.failure.message
    assert [r.status for r in report.runs] == ["ran"]
    assert (root / "data/derived/fixture.csv").read_text() == "label,total\ninjected,18\n"
    assert (root / "figures/fixture.txt").read_text() == "figure injected\n"
    executed = root / "build/notebooks/01_fixture.ipynb"
    assert executed.is_file()
    nb = json.loads(executed.read_text())
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert "running 1 notebook(s): 01_fixture" in text
    assert "01_fixture" in text and "ran" in text and "total" in text  # summary table
    assert sorted(report.runs[0].outputs) == ["data/derived/fixture.csv", "figures/fixture.txt"]
    assert not (root / "build/staging/01_fixture").exists()


def test_failing_cell_names_notebook_and_cell_and_keeps_previous_outputs(proj):
    root, lib = proj
    report, _ = _run(root, lib, overrides={"label": "good"})
    assert report.ok
    before = {p: p.read_bytes() for p in [root / "data/derived/fixture.csv",
                                           root / "figures/fixture.txt"]}
    report, _ = _run(root, lib, overrides={"label": "bad", "fail": True})
    assert not report.ok
    msg = report.failure.message
    assert "notebook 01_fixture failed in cell" in msg
    assert "RuntimeError: planted failure for the test" in msg
    # the injected-parameters cell sits after cell 2, so the failing fourth source cell is cell 5
    assert "cell 5 " in msg
    for p, content in before.items():
        assert p.read_bytes() == content, f"{p} was changed by a failing run"
    assert (root / "build/notebooks/01_fixture.ipynb").is_file()  # kept for inspection
    assert not (root / "build/stamps/01_fixture.json").exists()


def _cli_run(root, *params):
    args = [a for p in params for a in ("-p", p)]
    return subprocess.run([sys.executable, "-m", "collabcomm", "run", "--root", str(root),
                           "--no-progress", *args], capture_output=True, text=True)


def test_cli_exit_code_and_single_message_on_failure(proj):
    root, _ = proj
    proc = _cli_run(root, "fail=true")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert "notebook 01_fixture failed in cell 5" in errors[0]
    assert "RuntimeError" in errors[0]


def test_cli_successful_run_has_no_kernel_log_noise(proj):
    # ipykernel >= 7 logs a TCP-transport warning at every kernel start, and an ERROR when the
    # interrupt jupyter_client sends at shutdown finds the kernel busy (a loaded machine); both
    # broke the progress bar until the pipeline started kernels at log level CRITICAL
    root, _ = proj
    proc = _cli_run(root)
    assert proc.returncode == 0, proc.stderr
    assert "[IPKernelApp]" not in proc.stderr + proc.stdout
    assert "01_fixture" in proc.stdout and "ran" in proc.stdout


@pytest.mark.parametrize("override, fragment", [
    ({"nonsense": 1}, "unknown parameter(s) ['nonsense']"),
    ({"scale": "big"}, "parameter 'scale' = 'big' must be a number"),
    ({"scale": 11}, "parameter 'scale' = 11 must be at most 10"),
    ({"fail": "yes"}, "parameter 'fail' = 'yes' must be true or false"),
])
def test_bad_parameters_refused_before_anything_runs(proj, override, fragment):
    root, lib = proj
    with pytest.raises(ParameterError) as info:
        _run(root, lib, overrides=override)
    assert fragment in str(info.value)
    assert not (root / "build").exists(), "nothing may run before parameters validate"
    assert not (root / "data/derived/fixture.csv").exists()


def test_cli_refuses_bad_parameter_with_exit_2(proj):
    root, _ = proj
    proc = _cli_run(root, "scale=-1")
    assert proc.returncode == 2
    assert "notebook 01_fixture: parameter 'scale' = '-1' must be at least 0" in proc.stderr
    assert not (root / "build").exists()


def test_unchanged_rerun_skips_and_lib_or_input_edits_rerun(proj):
    root, lib = proj
    assert _run(root, lib)[0].ok
    report, _ = _run(root, lib)
    assert [r.status for r in report.runs] == ["skipped"]
    (lib / "module.py").write_text("X = 2\n")  # an edit to the library
    assert [r.status for r in _run(root, lib)[0].runs] == ["ran"]
    assert [r.status for r in _run(root, lib)[0].runs] == ["skipped"]
    (root / "data/published/numbers.txt").write_text("1 2 4\n")  # a declared input
    assert [r.status for r in _run(root, lib)[0].runs] == ["ran"]
    assert [r.status for r in _run(root, lib, overrides={"scale": 1})[0].runs] == ["ran"]
    assert [r.status for r in _run(root, lib, overrides={"scale": 1}, force=True)[0].runs] == ["ran"]
    (root / "figures/fixture.txt").unlink()  # a missing output forces a rerun
    assert [r.status for r in _run(root, lib, overrides={"scale": 1})[0].runs] == ["ran"]
    nb = root / "notebooks/01_fixture.ipynb"
    nb.write_text(nb.read_text().replace("multiplier applied", "factor applied"))
    assert [r.status for r in _run(root, lib, overrides={"scale": 1})[0].runs] == ["ran"]


def test_only_selects_and_unknown_only_is_refused(proj):
    root, lib = proj
    assert [r.notebook for r in _run(root, lib, only=["01"])[0].runs] == ["01_fixture"]
    with pytest.raises(NotebookError, match="--only 09: no notebook matches"):
        _run(root, lib, only=["09"])


def test_no_notebooks_says_so(tmp_path):
    (tmp_path / "notebooks").mkdir()
    report, text = _run(tmp_path, tmp_path)
    assert report.runs == [] and "no notebooks found" in text


def test_one_blas_thread_is_a_default_the_environment_overrides(monkeypatch):
    from collabcomm.pipeline.execute import run_env

    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    env = run_env()
    assert env["OPENBLAS_NUM_THREADS"] == env["OMP_NUM_THREADS"] == "1"
    assert env["MPLBACKEND"] == "Agg" and env["PYTHONHASHSEED"] == "0"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    env = run_env()
    assert "OPENBLAS_NUM_THREADS" not in env  # the kernel inherits the user's 2
    assert env["OMP_NUM_THREADS"] == "1"
