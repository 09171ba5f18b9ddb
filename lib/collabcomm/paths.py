"""Every path the companion uses, defined once.

The project root is the folder that holds ``notebooks/params.yaml``. It is, in order:

1. the environment variable ``COLLABCOMM_ROOT`` when it is set (the pipeline sets it for the
   notebooks it runs, and tests use it to run the pipeline in a temporary project);
2. otherwise the checkout that contains this package (``lib/collabcomm/..``).

No notebook or module writes a path such as ``"../data"`` itself; they ask :func:`project`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProjectPaths", "project", "package_dir", "ROOT_ENV", "SINGLE_BLAS_THREAD",
           "INPUT_FOLDERS", "same_file", "input_folder_of", "check_root"]

ROOT_ENV = "COLLABCOMM_ROOT"

SINGLE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Environment for one BLAS thread per process. The companion's matrices are small, and the
pipeline already runs one notebook per core, so a second BLAS thread per process only competes
for the cores (measured: the reconciliation took 3-4 s instead of 0.5 s on a loaded machine).
Set for the kernels the pipeline starts, for ``bench`` and for the tests; it must be in the
environment before numpy is imported, which is why it lives in this numpy-free module."""

INPUT_FOLDERS: tuple[str, ...] = ("data/published", "data/theory", "data/examples", "notebooks",
                                  "lib")
"""Folders (relative to the project root) that hold the companion's inputs: never an output
target (:func:`input_folder_of`)."""


def package_dir() -> Path:
    """Folder of the installed ``collabcomm`` package (the code that notebooks import)."""
    return Path(__file__).resolve().parent


@dataclass(frozen=True)
class ProjectPaths:
    """The companion's folders, all below ``root`` (the layout: README.md, *Description of the code*)."""

    root: Path

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def params_file(self) -> Path:
        return self.notebooks / "params.yaml"

    @property
    def lib(self) -> Path:
        return self.root / "lib" / "collabcomm"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def published(self) -> Path:
        return self.data / "published"

    @property
    def theory(self) -> Path:
        return self.data / "theory"

    @property
    def derived(self) -> Path:
        return self.data / "derived"

    @property
    def examples(self) -> Path:
        return self.data / "examples"

    @property
    def figures(self) -> Path:
        return self.root / "figures"

    @property
    def build(self) -> Path:
        return self.root / "build"

    @property
    def executed(self) -> Path:
        """Executed notebooks written by the pipeline."""
        return self.build / "notebooks"

    @property
    def html(self) -> Path:
        """Executed notebooks rendered as web pages (``make html``)."""
        return self.build / "html"

    @property
    def slides(self) -> Path:
        """Slide decks (``make slides``)."""
        return self.build / "slides"

    @property
    def vendor(self) -> Path:
        """Vendored third-party assets (reveal.js, KaTeX) that the pages and slides load."""
        return self.root / "vendor"

    @property
    def stamps(self) -> Path:
        """Records of each notebook's last successful run (for skipping unchanged work)."""
        return self.build / "stamps"

    @property
    def staging(self) -> Path:
        """Where a running notebook's outputs wait until the notebook has succeeded."""
        return self.build / "staging"


def project(root: str | os.PathLike | None = None) -> ProjectPaths:
    """Return the project's paths.

    Parameters
    ----------
    root : path-like, optional
        Project root. Default: ``$COLLABCOMM_ROOT`` if set, else the checkout holding this package.
    """
    if root is None:
        env = os.environ.get(ROOT_ENV)
        root = Path(env) if env else package_dir().parent.parent
    return ProjectPaths(Path(root).resolve())


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Whether ``a`` and ``b`` name the same file.

    True when their real paths agree (symbolic links resolved) or, where both exist, when
    :func:`os.path.samefile` says so (hard links, case-insensitive file systems).

    Examples
    --------
    >>> same_file("data/README.md", "data/../data/README.md")
    True
    >>> same_file("data/README.md", "README.md")
    False
    """
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def input_folder_of(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str | None:
    """The input folder (:data:`INPUT_FOLDERS`) that ``path`` lies in or is, else ``None``.

    ``path`` is taken relative to the project root ``root`` unless absolute; symbolic links
    are resolved on both sides, so a link that points into ``data/published`` is caught.

    Examples
    --------
    >>> input_folder_of("data/published/claims.csv")
    'data/published'
    >>> input_folder_of("build/sweeps") is None
    True
    """
    base = project(root).root
    p = Path(path)
    real = Path(os.path.realpath(p if p.is_absolute() else base / p))
    for folder in INPUT_FOLDERS:
        if real.is_relative_to(os.path.realpath(base / folder)):
            return folder
    return None


def check_root(root: str | os.PathLike | None) -> ProjectPaths:
    """The project at ``root``, refused unless it is one.

    ``None`` means the default project (:func:`project`). A given ``root`` must be a folder
    holding ``notebooks/params.yaml``.

    Raises
    ------
    ParameterError
        Naming ``root`` and what is missing.
    """
    from .errors import ParameterError

    paths = project(root)
    if root is None:
        return paths
    if not paths.root.is_dir():
        raise ParameterError(f"--root {root}: no such folder")
    if not paths.params_file.is_file():
        raise ParameterError(f"--root {root}: not a project root ({paths.params_file} not "
                             "found); give the folder that holds notebooks/params.yaml")
    return paths
