"""Synthetic surveys for any codebook (collabcomm.synthetic_survey): the hospital example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from collabcomm import codebook, instrument, synthetic_survey
from collabcomm.errors import ParameterError
from collabcomm.outputs import csv_text
from collabcomm.reliability import cronbach_alpha

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "examples"


@pytest.fixture(scope="module")
def hospital():
    return codebook.load_codebook(EXAMPLES / "hospital_codebook.yaml")


def test_the_committed_hospital_example_is_regenerated_byte_for_byte(hospital):
    text = csv_text(synthetic_survey.hospital_example(hospital))
    assert (EXAMPLES / "hospital_survey_synthetic.csv").read_text(encoding="utf-8") == text
    assert hospital.synthetic and "SYNTHETIC" in (EXAMPLES / "hospital_codebook.yaml").read_text()


def test_the_example_follows_its_codebook(hospital):
    data = instrument.read_survey(EXAMPLES / "hospital_survey_synthetic.csv", hospital)
    assert len(data) == sum(synthetic_survey.HOSPITAL_UNITS.values()) == 133
    assert data["unit_id"].value_counts()["WARD-05"] == 4
    raw = synthetic_survey.hospital_example(hospital)
    assert (raw[hospital.item_ids] == -9).sum().sum() > 0  # the declared missing code is used
    answered = data[hospital.item_ids].stack().dropna()
    assert answered.between(1, 7).all() and set(answered.unique()) == set(range(1, 8))


def test_the_reverse_keyed_item_is_written_reversed(hospital):
    data = instrument.read_survey(EXAMPLES / "hospital_survey_synthetic.csv", hospital)
    items = hospital.scale_items("collaborative")
    raw_alpha = cronbach_alpha(data, items).alpha
    keyed_alpha = cronbach_alpha(hospital.keyed(data), items).alpha
    assert raw_alpha < 0 < 0.7 < keyed_alpha


def test_same_seed_same_answers_other_seed_other_answers(hospital):
    a = synthetic_survey.simulate_survey(hospital, {"A": 5, "B": 3}, seed=1)
    b = synthetic_survey.simulate_survey(hospital, {"A": 5, "B": 3}, seed=1)
    c = synthetic_survey.simulate_survey(hospital, {"A": 5, "B": 3}, seed=2)
    assert a.equals(b) and not a.equals(c)
    assert list(a["staff_id"]) == [f"R{k:04d}" for k in range(1, 9)]
    assert list(a["unit_id"]) == ["A"] * 5 + ["B"] * 3


def test_no_missing_answers_when_the_rates_are_zero(hospital):
    a = synthetic_survey.simulate_survey(hospital, {"A": 50}, seed=0, blank_rate=0, code_rate=0)
    assert not a[hospital.item_ids].isna().any().any()
    assert np.isin(a[hospital.item_ids].to_numpy(int), range(1, 8)).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"units": {}}, "every unit needs at least one respondent"),
    ({"units": {"A": 0}}, "every unit needs at least one respondent"),
    ({"units": {"A": 3}, "blank_rate": 1.0}, "blank_rate must lie in [0, 1)"),
])
def test_bad_arguments(hospital, kwargs, message):
    with pytest.raises(ParameterError) as info:
        synthetic_survey.simulate_survey(hospital, **kwargs)
    assert message in str(info.value)
