"""Synthetic data (collabcomm.reconstruct): the package offers the names of both levels. Each level
has its own test file, tests/test_reconstruct_school_level.py and
tests/test_reconstruct_teacher_level.py."""

from __future__ import annotations

from collabcomm import reconstruct as R


def test_every_public_name_is_importable_from_the_package():
    assert [n for n in R.__all__ if not hasattr(R, n)] == []


def test_teachers_are_drawn_for_the_schools_of_the_same_seed():
    schools = R.schools(5)
    teachers = R.teachers(seed=5)
    assert set(teachers["school_id"]) == set(schools["school_id"])
