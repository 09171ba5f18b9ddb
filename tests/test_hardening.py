"""The second hardening round, end to end through the command line: no silent wrong result
from a ``-p`` value or the run cache, outputs anywhere tracked and written all or none.
Each refusal is one message naming the parameter, file or path, exit status 2, nothing
written; each silent wrong result is checked on the output values. (Unit-level cases of each
class are in the module's own tests; README, *Bad input and errors*, lists them all.)"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import make_project

NOTEBOOKS = {
    # writes its label and seed to data/derived (or output_dir) and a figure beside it
    "01_w": ('label = "new"\nseed = 1\noutput_dir = ""\ndisk_full = False\n',
             'out = P.root / output_dir if output_dir else P.derived\n'
             'fig = P.root / output_dir if output_dir else P.figures\n'
             'write_text(out / "a.txt", f"{label}|{seed}\\n")\n'
             'if disk_full:  # every later write finds the disk full\n'
             '    import errno, os\n'
             '    def full(src, dst):\n'
             '        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n'
             '    os.replace = full\n'
             'write_text(fig / "b.txt", label + "\\n")\n'),
}
PARAMS = """\
notebooks:
  01_w:
    outputs: [data/derived/a.txt, figures/b.txt]
    parameters:
      label: {default: new, type: str, help: what the outputs say}
      seed: {default: 1, type: int, min: 0, max: 4294967295, help: a seed}
      output_dir: {default: "", type: str, output: true, help: where results go}
      disk_full: {default: false, type: bool, help: the disk fills up after the first write}
"""


@pytest.fixture
def proj(tmp_path):
    root = make_project(tmp_path / "proj", NOTEBOOKS, PARAMS)
    for folder in ("data/derived", "figures"):
        (root / folder).mkdir(parents=True)
    return root


def _cli(root, *args):
    env = {k: v for k, v in os.environ.items() if k != "COLLABCOMM_ROOT"}
    return subprocess.run([sys.executable, "-m", "collabcomm", "run", "--no-progress", "--root",
                           str(root), *map(str, args)], capture_output=True, text=True, env=env)


# --- -p values are read by the declared type, never as YAML -----------------------------------

def test_a_text_parameter_runs_with_the_text_verbatim(proj):
    label = "School #5 (east wing) 12:30 &a [*a]"  # more cases: test_pipeline_params.py
    proc = _cli(proj, "--force", "-p", f"label={label}", "-p", "seed=0750")
    assert proc.returncode == 0, proc.stderr
    assert (proj / "data/derived/a.txt").read_text() == f"{label}|750\n"
    assert (proj / "figures/b.txt").read_text() == f"{label}\n"


def test_an_output_dir_with_a_hash_is_used_whole(proj):
    proc = _cli(proj, "-p", "output_dir=build/run #2")
    assert proc.returncode == 0, proc.stderr
    assert (proj / "build/run #2/a.txt").read_text() == "new|1\n"
    assert not (proj / "build/run").exists()


@pytest.mark.parametrize("value", ["12:30", "1_000", "0x1F", "7 # lucky", "7.5", "1e3", ".inf",
                                   "", "true", "\uff17"])
def test_a_number_that_is_not_a_plain_decimal_literal_is_refused(proj, value):
    proc = _cli(proj, "-p", f"seed={value}")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: notebook 01_w: parameter 'seed' = {value!r} must be a whole number in decimal "
        "digits, such as 7. (a seed)"]
    assert list((proj / "data/derived").iterdir()) == [] and not (proj / "build").exists()


# --- the cache: each output's content hash is in the stamp; a damaged output is rewritten ------

def _run(root, **kw):
    import io

    from collabcomm import pipeline

    sink = io.StringIO()
    report = pipeline.run(root, progress=False, out=sink, **kw)
    return report, sink.getvalue()


def test_a_damaged_or_missing_output_makes_its_notebook_run_again(proj):
    import json

    report, _ = _run(proj)
    assert [r.status for r in report.runs] == ["ran"]
    stamp = json.loads((proj / "build/stamps/01_w.json").read_text())
    assert set(stamp["hashes"]) == {"data/derived/a.txt", "figures/b.txt"}
    (proj / "figures/b.txt").write_bytes(b"")  # truncated to 0 bytes, as a full disk leaves it
    report, summary = _run(proj)
    assert [(r.status, r.message) for r in report.runs] == [
        ("ran", "figures/b.txt changed since its run; rerunning")]
    assert "  01_w: figures/b.txt changed since its run; rerunning" in summary
    assert (proj / "figures/b.txt").read_text() == "new\n"  # the value, not only the status
    (proj / "data/derived/a.txt").unlink()
    report, _ = _run(proj)
    assert report.runs[0].message == "data/derived/a.txt is missing; rerunning"
    assert (proj / "data/derived/a.txt").read_text() == "new|1\n"
    report, _ = _run(proj)
    assert [(r.status, r.message) for r in report.runs] == [
        ("skipped", "inputs unchanged since last run")]


# --- outputs outside the project: recorded, checked, written all or none -------------------------

def test_outputs_outside_the_project_are_tracked(proj, tmp_path):
    import json

    elsewhere = tmp_path / "elsewhere" / "results"
    overrides = {"output_dir": str(elsewhere)}
    report, _ = _run(proj, overrides=overrides)
    assert report.ok
    written = sorted([(elsewhere / "a.txt").as_posix(), (elsewhere / "b.txt").as_posix()])
    stamp = json.loads((proj / "build/stamps/01_w.json").read_text())
    assert stamp["outputs"] == written and sorted(stamp["hashes"]) == written
    assert report.runs[0].outputs == written
    (elsewhere / "a.txt").unlink()
    report, _ = _run(proj, overrides=overrides)
    assert report.runs[0].message == f"{written[0]} is missing; rerunning"
    assert (elsewhere / "a.txt").read_text() == "new|1\n"
    import shutil

    shutil.rmtree(elsewhere.parent)  # the whole folder
    report, _ = _run(proj, overrides=overrides)
    assert report.runs[0].status == "ran"
    assert (elsewhere / "a.txt").read_text() == "new|1\n"
    assert (elsewhere / "b.txt").read_text() == "new\n"
    # all or none there too: b.txt cannot be written, so a.txt keeps its previous version
    (elsewhere / "b.txt").unlink()
    (elsewhere / "b.txt").mkdir()
    report, _ = _run(proj, force=True, overrides={**overrides, "label": "newer"})
    assert not report.ok and "b.txt: is a folder" in report.failure.message
    assert (elsewhere / "a.txt").read_text() == "new|1\n"
    assert not list(elsewhere.glob(".*tmp*"))


# --- a full disk: the failing path and the reason named, the previous outputs kept -------------

def test_a_full_disk_during_a_run_names_the_path_and_keeps_every_previous_output(proj):
    assert _run(proj)[0].ok
    report, _ = _run(proj, force=True, overrides={"label": "newer", "disk_full": True})
    assert not report.ok and report.failure.error == "OutputWriteError"
    assert (f"OutputWriteError: {proj / 'figures' / 'b.txt'}: cannot write (No space left on "
            "device)") in report.failure.message
    assert (proj / "data/derived/a.txt").read_text() == "new|1\n"  # not half the new run
    assert (proj / "figures/b.txt").read_text() == "new\n"
    assert not (proj / "build/stamps/01_w.json").exists()
    proc = _cli(proj, "--force", "-p", "disk_full=true")
    assert proc.returncode == 2
    assert "No space left on device" in proc.stderr and str(proj / "figures" / "b.txt") in proc.stderr
