"""Which code made an output: the package's version and the git commit it was run from.

``python -m collabcomm --version`` prints :func:`describe`; the executed notebooks record
:func:`stamp` in their metadata (``metadata.collabcomm``); every page of the companion website
and the slide deck show :func:`describe`. Nothing of it is written into ``data/derived`` or
``figures``, whose bytes depend on the code's behaviour, never on its commit.

The commit is that of the git checkout the ``collabcomm`` package is imported from (the code
that ran), found with the ``git`` command: ``git rev-parse HEAD``, and ``git status`` for
uncommitted changes to tracked files. Where there is no such checkout (an installed copy, an
archive without ``.git``, no ``git`` on the machine), there is no commit, and the text says so.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..paths import package_dir

__all__ = ["AUTHOR", "Commit", "git_commit", "stamp", "describe", "checkout_file", "build_footer"]


@dataclass(frozen=True)
class Commit:
    """A git commit: its full hash, and whether tracked files differ from it."""

    sha: str
    dirty: bool

    @property
    def short(self) -> str:
        """The first 12 hex digits, as the website and ``--version`` print it."""
        return self.sha[:12]


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):  # no git, or it hung
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_commit(folder: str | Path | None = None) -> Commit | None:
    """The commit of the git checkout that holds ``folder`` (default: the ``collabcomm``
    package's own folder), or None when git does not track the folder's ``__init__.py`` /
    the folder is in no checkout, or ``git`` is missing.

    ``dirty`` is True when a tracked file of the checkout differs from the commit (untracked
    files are not counted).
    """
    folder = Path(package_dir() if folder is None else folder)
    sha = _git(folder, "rev-parse", "--verify", "HEAD")
    if not sha or _git(folder, "ls-files", "--error-unmatch", "--", ".") is None:
        return None
    status = _git(folder, "status", "--porcelain", "--untracked-files=no")
    return Commit(sha, dirty=bool(status))


def stamp(folder: str | Path | None = None) -> dict:
    """What an executed notebook records in ``metadata.collabcomm``: the package's version,
    the commit's full hash (None without one) and whether tracked files had changed.

    Examples
    --------
    >>> sorted(stamp())
    ['commit', 'uncommitted_changes', 'version']
    """
    commit = git_commit(folder)
    return {"version": __version__, "commit": commit.sha if commit else None,
            "uncommitted_changes": commit.dirty if commit else None}


def describe(folder: str | Path | None = None) -> str:
    """One line naming the version and the commit, e.g. ``collabcomm 0.1.0, commit
    9bb9b03abcde`` (with ``, with uncommitted changes`` when tracked files differ from it;
    ``, no git commit (not run from a git checkout)`` without one).

    Examples
    --------
    >>> describe().startswith("collabcomm ")
    True
    """
    commit = git_commit(folder)
    if commit is None:
        return f"collabcomm {__version__}, no git commit (not run from a git checkout)"
    return (f"collabcomm {__version__}, commit {commit.short}"
            + (", with uncommitted changes" if commit.dirty else ""))


def checkout_file(root: str | Path, name: str) -> Path | None:
    """The project's file ``name`` (``CITATION.cff``, ``README.md``): the one at ``root``, else
    the one of the checkout the package is imported from (a copy of the notebooks elsewhere is
    still built by this code), else None."""
    for folder in (Path(root), package_dir().parents[1]):
        if (folder / name).is_file():
            return folder / name
    return None


AUTHOR = "collabcomm contributors"
"""The companion's author, as CITATION.cff and LICENSE name it."""


def build_footer(build: str) -> str:
    """The line at the foot of every page: the version and commit the site was built from
    (:func:`describe`)."""
    import html

    return (f'<p class="build-stamp">Built from {html.escape(build)}. Code under the MIT '
            f"licence; how to cite: the landing page.</p>")
