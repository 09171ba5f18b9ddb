"""Bad input to the command line gets one message and exit code 2, before anything runs
(issue 17, point 9): a missing or malformed file given as a parameter, a --root that is not
a project, an output folder that is an input folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import tree_digest

from collabcomm import reconstruct
from collabcomm.errors import ParameterError
from collabcomm.pipeline import params

REPO = Path(__file__).resolve().parents[1]


def _cli(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "COLLABCOMM_ROOT"}
    return subprocess.run([sys.executable, "-m", "collabcomm", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env)


@pytest.mark.parametrize("command", [["run"], ["html"], ["slides"], ["sweep", "07", "-p",
                                                                      "n_schools=10"]])
def test_a_root_that_is_not_a_project_exits_2(tmp_path, command):
    proc = _cli(*command, "--root", tmp_path / "nonexistent")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr == f"error: --root {tmp_path / 'nonexistent'}: no such folder\n"
    proc = _cli(*command, "--root", tmp_path)  # a folder, but no notebooks/params.yaml
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: --root {tmp_path}: not a project root "
                                  f"({tmp_path / 'notebooks' / 'params.yaml'} not found)")
    assert not (tmp_path / "build").exists()


def test_a_file_parameter_naming_no_file_exits_2_before_anything_runs(project_copy):
    before = tree_digest(project_copy)
    proc = _cli("run", "--root", project_copy, "--only", "04", "--no-progress",
                "-p", "schools_path=own/none.csv")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: notebook 04_regressions: parameter 'schools_path' = "
                                  "'own/none.csv' names no existing file (looked for "
                                  f"{project_copy / 'own' / 'none.csv'})")
    assert tree_digest(project_copy) == before  # nothing ran, nothing was written


def test_a_path_parameter_may_name_a_file_a_notebook_writes(project_copy):
    specs = params.load_specs(project_copy / "notebooks" / "params.yaml")
    (project_copy / "data" / "derived" / "schools_synthetic.csv").unlink()  # 03 writes it
    values = params.validate("04_regressions", specs["04_regressions"].defaults(), specs,
                             root=project_copy)
    assert values["schools_path"] == "data/derived/schools_synthetic.csv"
    with pytest.raises(ParameterError, match=r"parameter 'schools_path' = 'data/mine\.csv' names "
                                             r"no existing file"):
        params.validate("04_regressions", {**values, "schools_path": "data/mine.csv"}, specs,
                        root=project_copy)


@pytest.mark.parametrize("output_dir, folder", [
    ("data/published", "data/published"), ("data/theory/sub", "data/theory"),
    ("data/examples", "data/examples"), ("notebooks", "notebooks"),
    ("data/../data/published", "data/published"), ("build/link", "data/published"),
])
def test_an_input_folder_is_never_an_output_target(project_copy, output_dir, folder):
    (project_copy / "build").mkdir()
    (project_copy / "build" / "link").symlink_to(project_copy / "data" / "published")
    before = tree_digest(project_copy / "data")
    proc = _cli("run", "--root", project_copy, "--only", "07", "--no-progress",
                "-p", f"output_dir={output_dir}", "-p", "reps=100", "-p", "n_grid=[10]",
                "-p", "alpha_grid=[0.75]")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: notebook 07_classroom_power: parameter 'output_dir' "
                                  f"= '{output_dir}' points into {folder}/, which holds the "
                                  "companion's inputs"), proc.stderr
    assert tree_digest(project_copy / "data") == before


def test_failure_code_maps_the_companions_errors_to_2():
    from collabcomm.pipeline.cli import failure_code

    for name in ("CollabcommError", "SurveyFileError", "ParameterError", "PublishedDataError",
                 "OutputWriteError", "RunBusyError", "ModelSpecError"):
        assert failure_code(name) == 2
    for name in ("KeyError", "ValueError", "DeadKernelError", "MissingDataWarning", "", "re"):
        assert failure_code(name) == 1


@pytest.mark.notebooks
def test_a_malformed_school_file_parameter_exits_2(project_copy):
    # the file exists, so the notebook starts; its validation stops it: bad input, exit 2
    (project_copy / "own").mkdir()
    reconstruct.schools().head(2).to_csv(project_copy / "own" / "two.csv", index=False)
    proc = _cli("run", "--root", project_copy, "--only", "04", "--no-progress",
                "-p", "schools_path=own/two.csv")
    assert proc.returncode == 2, proc.stderr
    assert (f"CollabcommError: {project_copy / 'own' / 'two.csv'}: 2 school(s); model 1 "
            "(3 regressors and a constant) needs at least 5") in proc.stderr
    assert not (project_copy / "build" / "own_data").exists()


@pytest.mark.notebooks
def test_a_bad_model_specification_exits_2_naming_the_file_and_the_key(project_copy):
    (project_copy / "own").mkdir()
    (project_copy / "own" / "spec.yaml").write_text(
        "outcome: api00\ncontrols: [api99, meals]\nmodels:\n  - {name: 1, terms: [meals]}\n")
    proc = _cli("run", "--root", project_copy, "--only", "04", "--no-progress",
                "-p", "schools_path=data/examples/apipop.csv", "-p", "spec_path=own/spec.yaml")
    assert proc.returncode == 2, proc.stderr
    assert (f"ModelSpecError: {project_copy / 'own' / 'spec.yaml'}: key 'models', model 1: term "
            "'meals' is listed twice (it is already a control)") in proc.stderr
    assert not (project_copy / "build" / "own_data").exists()
    # a good specification on apipop, but 37 schools lack enroll: refused unless missing=drop
    proc = _cli("run", "--root", project_copy, "--only", "04", "--no-progress",
                "-p", "schools_path=data/examples/apipop.csv",
                "-p", "spec_path=data/examples/apipop_models.yaml")
    assert proc.returncode == 2, proc.stderr
    assert (f"{project_copy / 'data' / 'examples' / 'apipop.csv'}: column 'enroll', row 372: is "
            "blank (pass missing=\"drop\" to leave such rows out)") in proc.stderr
    assert not (project_copy / "build" / "own_data").exists()
