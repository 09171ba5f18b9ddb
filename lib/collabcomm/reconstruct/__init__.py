"""Synthetic data that reproduce the published moments: schools, then teachers.

:mod:`~collabcomm.reconstruct.school_level` builds the 26 schools whose means, SDs, bounds and
correlations are exactly those of Exhibits 2 and 3 (where they can all hold at once, and says
what it relaxes where they cannot); :mod:`~collabcomm.reconstruct.teacher_level` builds the
teachers' answers to the 20 items within those schools. Every name is offered here too, so
``reconstruct.schools`` and ``reconstruct.teachers`` work as before.
"""

from __future__ import annotations

from .school_level import (
    DEFAULT_SEED,
    CorrelationCheck,
    Reconstruction,
    Target,
    check_correlation,
    exact_moment_draw,
    moments_of,
    nearest_correlation,
    published_target,
    reconstruct_schools,
    schools,
)
from .teacher_level import (
    RESPONSE_RATE,
    TeacherReconstruction,
    controlled_round,
    cronbach_from_array,
    reconstruct_teachers,
    teachers,
)

__all__ = [
    "Target",
    "CorrelationCheck",
    "Reconstruction",
    "published_target",
    "check_correlation",
    "nearest_correlation",
    "exact_moment_draw",
    "reconstruct_schools",
    "schools",
    "moments_of",
    "DEFAULT_SEED",
    "RESPONSE_RATE",
    "controlled_round",
    "TeacherReconstruction",
    "reconstruct_teachers",
    "teachers",
    "cronbach_from_array",
]
