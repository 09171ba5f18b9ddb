"""Which code made an output (collabcomm.pipeline.provenance): ``--version``, the executed
notebooks' metadata, and the promise that the version and commit never enter data/derived or
figures. The website's and the deck's stamps are tested with them (test_pipeline_site.py,
test_pipeline_render.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from collabcomm import __version__
from collabcomm.pipeline import provenance

REPO = Path(__file__).resolve().parents[1]


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(folder), "-c", "user.name=t", "-c",
                           "user.email=t@example.org", *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _in_checkout() -> bool:
    """Whether this project is a git checkout with a commit (a clone); a copy or an unpacked
    archive is not, and then the package must say that it has no commit."""
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--verify", "HEAD"],
                          capture_output=True, text=True)
    return done.returncode == 0 and (REPO / ".git").exists()


def test_the_version_is_pyprojects():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert __version__ == meta["project"]["version"]


def test_the_commit_is_the_checkouts_head():
    commit = provenance.git_commit()
    if not _in_checkout():  # e.g. the copy that tests/test_python_versions.py builds
        assert commit is None
        return
    assert commit is not None and commit.sha == _git(REPO, "rev-parse", "HEAD")
    assert len(commit.sha) == 40 and commit.short == commit.sha[:12]
    assert commit.dirty == bool(_git(REPO, "status", "--porcelain", "--untracked-files=no"))


def test_commit_and_uncommitted_changes_in_a_repository_of_its_own(tmp_path):
    repo = tmp_path / "repo"
    pkg = repo / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("x = 1\n")
    assert provenance.git_commit(pkg) is None  # in no checkout
    _git(repo, "init", "-q")
    assert provenance.git_commit(pkg) is None  # a checkout without a commit
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "first")
    head = _git(repo, "rev-parse", "HEAD")
    assert provenance.git_commit(pkg) == provenance.Commit(head, dirty=False)
    assert provenance.describe(pkg) == f"collabcomm {__version__}, commit {head[:12]}"
    assert provenance.stamp(pkg) == {"version": __version__, "commit": head,
                                     "uncommitted_changes": False}
    (pkg / "new.py").write_text("")  # untracked: not a change of the commit's files
    assert provenance.git_commit(pkg).dirty is False
    (pkg / "__init__.py").write_text("x = 2\n")
    assert provenance.git_commit(pkg) == provenance.Commit(head, dirty=True)
    assert provenance.describe(pkg).endswith(f"commit {head[:12]}, with uncommitted changes")
    untracked = repo / "other"
    untracked.mkdir()
    (untracked / "a.py").write_text("")
    assert provenance.git_commit(untracked) is None  # git does not track this code


def test_without_a_checkout_the_text_says_there_is_no_commit(tmp_path):
    assert provenance.describe(tmp_path) == (
        f"collabcomm {__version__}, no git commit (not run from a git checkout)")
    assert provenance.stamp(tmp_path) == {"version": __version__, "commit": None,
                                          "uncommitted_changes": None}


def test_version_option_names_the_version_and_the_commit(tmp_path):
    done = subprocess.run([sys.executable, "-m", "collabcomm", "--version"], capture_output=True,
                          text=True, cwd=tmp_path)  # from any folder: the code's own checkout
    assert done.returncode == 0 and done.stderr == ""
    if _in_checkout():
        head = _git(REPO, "rev-parse", "HEAD")
        assert done.stdout.startswith(f"collabcomm {__version__}, commit {head[:12]}")
    else:
        assert done.stdout == f"collabcomm {__version__}, no git commit (not run from a git checkout)\n"
    assert done.stdout == provenance.describe() + "\n"


@pytest.mark.notebooks
def test_executed_notebooks_record_the_code_and_outputs_never_do(full_run):
    root, report = full_run
    assert report.ok
    head = _git(REPO, "rev-parse", "HEAD") if _in_checkout() else None
    executed = sorted((root / "build/notebooks").glob("*.ipynb"))
    assert len(executed) == len(list((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))) > 0
    for path in executed:
        meta = json.loads(path.read_text(encoding="utf-8"))["metadata"]["collabcomm"]
        assert meta["version"] == __version__ and meta["commit"] == head, path.name
        assert isinstance(meta["uncommitted_changes"], bool if head else type(None))
    written = [p for folder in ("data/derived", "figures")
               for p in sorted((root / folder).rglob("*")) if p.is_file()]
    assert written
    for path in written:
        data = path.read_bytes()
        assert (head is None or head[:12].encode() not in data) and b"collabcomm " + __version__.encode() \
            not in data, path
