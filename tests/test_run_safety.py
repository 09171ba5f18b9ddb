"""Runs that cannot hurt each other or the outputs (issue 17, points 3 to 6): one run at a
time per output folder, staging through symbolic links, all-or-nothing writes that fail with
one message naming the path, and a one-line Ctrl-C."""

from __future__ import annotations

import errno
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_project

from collabcomm import outputs, pipeline
from collabcomm.errors import OutputWriteError, RunBusyError

REPO = Path(__file__).resolve().parents[1]

NOTEBOOKS = {
    # writes its first output, then fails when asked: the second output is never written
    "01_w": ('fail = False\nlabel = "new"\nnap = 0.0\n',
             'write_text(P.derived / "a.txt", label + "\\n")\n'
             'time.sleep(nap)\n'
             'if fail:\n    raise RuntimeError("planted failure after a write")\n'
             'write_text(P.figures / "b.txt", label + "\\n")\n'),
}
PARAMS = """\
notebooks:
  01_w:
    outputs: [data/derived/a.txt, figures/b.txt]
    parameters:
      fail: {default: false, type: bool, help: fail after the first write}
      label: {default: new, type: str, help: what the outputs say}
      nap: {default: 0.0, type: float, min: 0, max: 60, help: seconds to wait between writes}
"""


@pytest.fixture
def proj(tmp_path):
    root = make_project(tmp_path / "proj", NOTEBOOKS, PARAMS)
    for folder in ("data/derived", "figures"):
        (root / folder).mkdir(parents=True)
    (root / "data/derived/a.txt").write_text("old\n")
    (root / "figures/b.txt").write_text("old\n")
    return root


def _run(root, **kw):
    return pipeline.run(root, progress=False, out=io.StringIO(), **kw)


def _contents(root):
    return {f: (root / f).read_text() for f in ("data/derived/a.txt", "figures/b.txt")}


# --- point 3: one run at a time ---------------------------------------------------------------

def test_a_second_run_stops_with_a_message_while_one_holds_the_folders(proj):
    with outputs.output_lock([proj / "figures"]):
        with pytest.raises(RunBusyError) as info:
            _run(proj)
    assert str(info.value).startswith(f"{(proj / 'figures').resolve()}: another collabcomm run "
                                      "is writing here")
    assert not (proj / "build/stamps").exists() and _contents(proj)["figures/b.txt"] == "old\n"
    # once released, the run goes ahead
    assert _run(proj).ok and _contents(proj) == {"data/derived/a.txt": "new\n",
                                                 "figures/b.txt": "new\n"}


@pytest.mark.notebooks
def test_two_runs_started_together_never_mix(proj):
    # the first holds the lock while its notebook naps; the second is refused, exit 2
    cmd = [sys.executable, "-m", "collabcomm", "run", "--force", "--no-progress", "--root",
           str(proj)]
    first = subprocess.Popen(cmd + ["-p", "nap=20", "-p", "label=first"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list((proj / "build/staging").glob("run-*/01_w")):
        time.sleep(0.05)
    second = subprocess.run(cmd + ["-p", "label=second"], capture_output=True, text=True)
    first.kill()
    first.communicate()
    assert second.returncode == 2
    assert second.stderr.strip().splitlines() == [
        f"error: {proj.resolve() / 'build'}: another collabcomm run is writing here; wait for "
        "it to finish and run again (nothing was changed)"]
    assert "second" not in "".join(_contents(proj).values())


def test_each_run_stages_in_a_folder_of_its_own(proj, monkeypatch):
    seen = []
    real = pipeline.execute._execute

    def spy(paths, nb, values, kernels=None, staging=None, forks=None):
        seen.append(staging)
        return real(paths, nb, values, kernels, staging, forks)

    monkeypatch.setattr(pipeline.execute, "_execute", spy)
    _run(proj, force=True)
    _run(proj, force=True)
    assert len(seen) == 2 and seen[0] != seen[1]
    assert all(s.parent == proj / "build/staging" and s.name.startswith("run-") for s in seen)
    assert list((proj / "build/staging").iterdir()) == []  # removed after each run


# --- point 4: symbolic links ------------------------------------------------------------------

@pytest.mark.notebooks
def test_a_linked_output_folder_is_staged_and_committed_through_the_link(proj, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    (proj / "data/derived").rename(elsewhere)
    (proj / "data/derived").symlink_to(elsewhere, target_is_directory=True)
    report = _run(proj, overrides={"fail": True})
    assert not report.ok
    assert (elsewhere / "a.txt").read_text() == "old\n", "a failing run wrote through the link"
    assert _run(proj).ok
    assert (elsewhere / "a.txt").read_text() == "new\n" and (proj / "data/derived").is_symlink()


# --- point 5: write failures ------------------------------------------------------------------

def _sources(tmp_path, names):
    moves = []
    for name in names:
        src = tmp_path / "stage" / name
        src.parent.mkdir(parents=True, exist_ok=True)
        src.write_text(f"new {name}\n")
        moves.append((src, tmp_path / "out" / name))
    for _, target in moves:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("old\n")
    return moves


@pytest.mark.parametrize("err, reason", [
    (errno.ENOSPC, "No space left on device"),
    (errno.EACCES, "Permission denied"),   # a read-only folder (root ignores chmod)
    (errno.EROFS, "Read-only file system"),
])
def test_a_failed_write_names_the_path_and_changes_nothing(tmp_path, monkeypatch, err, reason):
    moves = _sources(tmp_path, ["a.txt", "b.txt", "c.txt"])
    real_replace = os.replace

    def failing(src, dst):
        if Path(dst).name.startswith(".c.txt.tmp-"):
            raise OSError(err, os.strerror(err), str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", failing)
    with pytest.raises(OutputWriteError) as info:
        outputs.commit_files(moves)
    assert str(info.value) == (f"{tmp_path / 'out' / 'c.txt'}: cannot write ({reason}); nothing "
                               "was changed: every output keeps its previous complete version")
    assert [t.read_text() for _, t in moves] == ["old\n"] * 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_a_folder_where_the_file_should_be_is_named(tmp_path):
    moves = _sources(tmp_path, ["a.txt", "b.txt"])
    moves[1][1].unlink()
    moves[1][1].mkdir()
    with pytest.raises(OutputWriteError, match=r"b.txt: is a folder, where the output file"):
        outputs.commit_files(moves)
    assert moves[0][1].read_text() == "old\n"


def test_write_all_refuses_an_empty_name_and_writes_nothing(tmp_path):
    with pytest.raises(OutputWriteError, match=r"^'\.': is not a file name"):
        outputs.write_all({tmp_path / "x.csv": b"x\n", Path(""): b"y\n"})
    assert not (tmp_path / "x.csv").exists()
    assert [p for p in tmp_path.iterdir()] == []  # no temporary folder left


def test_write_all_writes_through_a_linked_folder(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)
    outputs.write_all({tmp_path / "link/a.csv": b"a\n"})
    assert (tmp_path / "real/a.csv").read_bytes() == b"a\n"


@pytest.mark.parametrize("out, fragment", [
    ("", "is not a file name"),
    # --out a folder writes <survey stem>_scores.csv inside it; here a folder is in its way
    ("{tmp}/", "is a folder, where the output file should be"),
])
def test_score_command_write_problems_exit_2_with_one_message(tmp_path, out, fragment):
    folder = tmp_path / "example_survey_scores.csv"
    folder.mkdir()
    proc = subprocess.run([sys.executable, "-m", "collabcomm", "score",
                           str(REPO / "data/examples/example_survey.csv"), "--out",
                           out.format(tmp=tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example_survey_scores.csv"]


def test_score_file_on_a_full_disk_keeps_the_previous_tables(tmp_path, monkeypatch):
    from collabcomm import survey

    out = tmp_path / "scores.csv"
    first = survey.score_file(REPO / "data/examples/example_survey.csv", out)
    before = {p: p.read_bytes() for p in first.values()}
    for p in first.values():
        p.write_bytes(b"previous\n")
    real_replace = os.replace

    def full(src, dst):
        if "_icc" in Path(dst).name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(src, dst)

    monkeypatch.setattr(outputs.os, "replace", full)
    with pytest.raises(OutputWriteError, match="No space left on device"):
        survey.score_file(REPO / "data/examples/example_survey.csv", out)
    assert all(p.read_bytes() == b"previous\n" for p in first.values())
    assert len(before) == 7


@pytest.mark.notebooks
def test_a_pipeline_commit_that_fails_keeps_every_previous_output(proj):
    (proj / "figures/b.txt").unlink()
    (proj / "figures/b.txt").mkdir()
    report = _run(proj)
    assert not report.ok
    assert report.failure.message.startswith(
        "notebook 01_w failed when its outputs were written: OutputWriteError: ")
    assert "b.txt: is a folder" in report.failure.message
    assert (proj / "data/derived/a.txt").read_text() == "old\n"
    assert not (proj / "build/stamps/01_w.json").exists()


# --- point 6: Ctrl-C --------------------------------------------------------------------------

@pytest.mark.notebooks
def test_ctrl_c_prints_one_line(proj):
    proc = subprocess.Popen([sys.executable, "-m", "collabcomm", "run", "--force",
                             "--no-progress", "--root", str(proj), "-p", "nap=30"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and not list((proj / "build/staging").glob("run-*/01_w/*/*")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.strip().splitlines() == [
        "interrupted: 01_w stopped; none of its outputs were written"]
    assert _contents(proj) == {"data/derived/a.txt": "old\n", "figures/b.txt": "old\n"}
