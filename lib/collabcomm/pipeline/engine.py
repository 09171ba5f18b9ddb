"""The papermill engine the pipeline runs notebooks with: papermill's own (nbclient), saving less.

Papermill writes the whole executed notebook, every figure in it as base64, at the start and at
the end of every cell, so that a notebook that dies half way leaves what it has done. For the
companion's notebooks (30 to 60 cells, up to 0.8 MB each) that is over a hundred writes per
notebook, each serializing and validating the whole document in the pipeline's process while
the kernels wait for it: measured on 2 cores, a forced run of the seven notebooks took 33 s
with those writes and 27 s without them, every written byte the same.

:class:`ThrottledEngine` keeps papermill's behaviour and saves at most every
:data:`SAVE_EVERY` seconds while the notebook runs, and always once when it ends, whether it
succeeded, a cell raised, or the kernel died: the partly executed notebook named by a failure
message is still there, at most :data:`SAVE_EVERY` seconds behind when the kernel died, and
complete when a cell raised (papermill writes that one itself, with the error). A notebook that
runs for less than :data:`SAVE_EVERY` seconds is written once.

It also records a cell's printed output independently of timing (nbclient's
``coalesce_streams``): ipykernel sends what a cell prints in pieces, whenever its 0.2 s flush
timer fires, so on a loaded machine two prints a moment apart may arrive as two messages and
stderr may overtake stdout. nbclient, by default, keeps every piece as an output of its own,
and an executed notebook would then differ from run to run with the machine's load (the likely
cause of a CI run in which notebook 06 of two runs differed beyond timestamps, every data file
and figure the same; the CI log did not show which output differed).
The engine keeps one stdout output per cell, at the place of its first piece, and one stderr
output, after it; a cell whose pieces arrive together, as on a quiet machine, is recorded as
before.
"""

from __future__ import annotations

import functools

__all__ = ["ENGINE_NAME", "SAVE_EVERY", "engine_name"]

ENGINE_NAME = "collabcomm"
"""The name the engine is registered under with papermill (``engine_name=``)."""

SAVE_EVERY = 10.0
"""Seconds between two saves of a running notebook (papermill saves at every cell)."""


@functools.cache
def engine_name() -> str:
    """Register :class:`ThrottledEngine` with papermill (once) and return its name."""
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class ThrottledManager(NotebookExecutionManager):
        """Papermill's execution manager whose saves, but the last, are at most every
        :data:`SAVE_EVERY` seconds apart."""

        final = False

        def save(self, **kwargs):
            elapsed = (self.now() - self.last_save_time).total_seconds()
            if self.final or elapsed >= SAVE_EVERY:
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self.final = True  # papermill calls it however execution ended: always saved
            super().notebook_complete(**kwargs)

    class ThrottledEngine(NBClientEngine):
        """nbclient's engine with :class:`ThrottledManager` and one output per stream and
        cell (papermill's ``Engine.execute_notebook`` with those two things changed)."""

        manager = ThrottledManager

        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True,
                             log_output=False, autosave_cell_every=30, **kwargs):
            nb_man = cls.manager(nb, output_path=output_path, progress_bar=progress_bar,
                                 log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output,
                                             **{"coalesce_streams": True, **kwargs})
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, ThrottledEngine)
    return ENGINE_NAME
