"""Synthetic data that reproduce the published moments: schools, then teachers.

:mod:`~collabcomm.reconstruct.school_level` builds the 26 schools whose means, SDs, bounds and
correlations are exactly those of Exhibits 2 and 3 (where they can all hold at once, and says
what it relaxes where they cannot); :mod:`~collabcomm.reconstruct.teacher_level` builds the
teachers' answers to the 20 items within those schools. Every name is offered here too, so
``reconstruct.schools`` and ``reconstruct.teachers`` work as before.
"""

from __future__ import annotations

from . import school_level, teacher_level
from .school_level import *  # noqa: F403 (the names of school_level.__all__)
from .teacher_level import *  # noqa: F403 (the names of teacher_level.__all__)

__all__ = [*school_level.__all__, *teacher_level.__all__]
