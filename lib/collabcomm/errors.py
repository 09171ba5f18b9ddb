"""The companion's documented error types.

Every error a user can cause (a bad parameter, a malformed survey file, a missing or corrupt
published table, a failing notebook) is raised as one of these, with a message that names the
file, column, row, notebook or parameter concerned and says how to fix it. They subclass
``ValueError`` so that generic handlers keep working.
"""

from __future__ import annotations

__all__ = [
    "CollabcommError",
    "ParameterError",
    "PublishedDataError",
    "SurveyFileError",
    "CodebookError",
    "ModelSpecError",
    "OutputTargetError",
    "NotebookError",
    "RenderError",
    "OutputWriteError",
    "RunBusyError",
    "MissingDataWarning",
]


class CollabcommError(ValueError):
    """Base class of every error the companion raises on purpose."""


class ParameterError(CollabcommError):
    """A notebook or command parameter is unknown, of the wrong type, or out of range."""


class PublishedDataError(CollabcommError):
    """A file in data/published or data/theory is missing, unreadable or malformed."""


class SurveyFileError(CollabcommError):
    """A survey response file fails validation (names the file, column and row)."""


class CodebookError(CollabcommError):
    """A codebook (the YAML description of an instrument) is missing, malformed or
    inconsistent, or contradicts the survey file it describes; names the file and the key."""


class ModelSpecError(CollabcommError):
    """A model specification (:mod:`collabcomm.modelspec`; a small YAML file naming the
    outcome, the controls and each model's terms) is missing, not valid YAML, or malformed:
    names the file and the key."""


class OutputTargetError(CollabcommError):
    """An output would be written over an input: the input file itself (also through a
    symbolic link or a sibling output's name) or a file in an input folder
    (:data:`collabcomm.paths.INPUT_FOLDERS`). Raised before anything is written; names both
    paths."""


class NotebookError(CollabcommError):
    """A notebook failed while the pipeline ran it (names the notebook and the cell)."""


class RenderError(CollabcommError):
    """A page or slide deck cannot be rendered to work offline: the executed notebook or a
    vendored asset is missing, or the page would load something from the network."""


class OutputWriteError(CollabcommError):
    """An output cannot be written (a read-only folder, a full disk, a folder where the file
    should be); names the path. Raised before any output of the set has changed."""


class RunBusyError(CollabcommError):
    """Another run holds the lock on an output folder (names the folder)."""


class MissingDataWarning(UserWarning):
    """Rows with blank cells were left out because the caller asked for ``missing="drop"``
    (names how many rows, and which)."""
