"""What a run reports: one :class:`NotebookRun` per notebook, the :class:`RunReport` of a run,
the summary table printed at its end, and the one line printed when it is interrupted."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

__all__ = [
    "NotebookRun",
    "RunReport",
    "format_summary",
    "interrupted_message",
]


@dataclass
class NotebookRun:
    """What happened to one notebook in a run."""

    notebook: str
    status: str  # "ran", "skipped", "failed", "interrupted" or "not run"
    seconds: float = 0.0
    message: str = ""
    outputs: list[str] = field(default_factory=list)
    error: str = ""  # class name of the exception that failed it (a cell's, or the pipeline's)


@dataclass
class RunReport:
    """The result of :func:`~collabcomm.pipeline.execute.run`: one :class:`NotebookRun` per selected notebook, in notebook
    order, and the run's wall-clock time."""

    runs: list[NotebookRun]
    wall: float = 0.0

    @property
    def ok(self) -> bool:
        return all(r.status in ("ran", "skipped") for r in self.runs)

    @property
    def failure(self) -> NotebookRun | None:
        return next((r for r in self.runs if r.status in ("failed", "interrupted")), None)


def _report(names: list[str], results: dict[str, NotebookRun], start: float) -> RunReport:
    return RunReport([results.get(nb, NotebookRun(nb, "not run")) for nb in names],
                     time.perf_counter() - start)


def interrupted_message(report: RunReport | None) -> str:
    """The one line printed when a run is interrupted (Ctrl-C).

    Examples
    --------
    >>> interrupted_message(RunReport([NotebookRun("03_school_data", "interrupted"),
    ...                                NotebookRun("04_regressions", "not run")]))
    'interrupted: 03_school_data stopped; none of its outputs were written'
    >>> interrupted_message(None)
    'interrupted: no output was half-written'
    """
    stopped = [r.notebook for r in (report.runs if report else []) if r.status == "interrupted"]
    if not stopped:
        return "interrupted: no output was half-written"
    its = "its" if len(stopped) == 1 else "their"
    return f"interrupted: {', '.join(stopped)} stopped; none of {its} outputs were written"


#: How a notebook that others need ended, as the reason they were not run.
_PAST = {"failed": "failed", "interrupted": "was interrupted", "not run": "was not run"}


def format_summary(runs: list[NotebookRun], wall: float | None = None) -> str:
    """A plain-text table: notebook, status, seconds, number of outputs written; then the wall
    time (when given) and the count of each status. A notebook that was not run because a
    notebook it needs failed says so below the table."""
    if not runs:
        return "no notebooks ran"
    width = max(len("notebook"), *(len(r.notebook) for r in runs))
    lines = [f"{'notebook':<{width}}  {'status':<11}  {'seconds':>8}  outputs",
             f"{'-' * width}  {'-' * 11}  {'-' * 8}  -------"]
    for r in runs:
        secs = f"{r.seconds:8.1f}" if r.status not in ("not run", "skipped") else f"{'-':>8}"
        lines.append(f"{r.notebook:<{width}}  {r.status:<11}  {secs}  {len(r.outputs)}")
    busy = sum(r.seconds for r in runs)
    counts = ", ".join(f"{sum(r.status == s for r in runs)} {s}"
                       for s in ("ran", "skipped", "failed", "interrupted", "not run")
                       if any(r.status == s for r in runs))
    if wall is None:
        lines.append(f"total {busy:.1f} s; {counts}")
    else:
        lines.append(f"wall time {wall:.1f} s; total of the notebooks' own times {busy:.1f} s; "
                     f"{counts}")
    lines += [f"  {r.notebook}: {r.message}" for r in runs
              if r.status in ("not run", "ran") and r.message]
    return "\n".join(lines)
