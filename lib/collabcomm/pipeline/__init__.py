"""The machinery: everything that runs the science rather than computing it.

:mod:`~collabcomm.pipeline.params` (declared parameters and their validation, for the notebooks'
second cell), :mod:`~collabcomm.pipeline.plan` (what a run will do),
:mod:`~collabcomm.pipeline.execute` (papermill, staging, scheduling: :func:`run`),
:mod:`~collabcomm.pipeline.report`, :mod:`~collabcomm.pipeline.sweeps`,
:mod:`~collabcomm.pipeline.render` (offline HTML and slides), :mod:`~collabcomm.pipeline.compare`
(produced outputs against the committed ones), :mod:`~collabcomm.pipeline.bench` and
:mod:`~collabcomm.pipeline.cli` (``python -m collabcomm``). The science modules never import
from here (tests/test_architecture.py).
"""

from __future__ import annotations

from .execute import KERNEL_NAME, run
from .plan import default_jobs, dependencies, discover, fingerprint
from .report import NotebookRun, RunReport, format_summary, interrupted_message
from .sweeps import parse_grid, sweep

__all__ = [
    "KERNEL_NAME",
    "parse_grid",
    "sweep",
    "NotebookRun",
    "RunReport",
    "discover",
    "dependencies",
    "default_jobs",
    "fingerprint",
    "run",
    "format_summary",
    "interrupted_message",
]
