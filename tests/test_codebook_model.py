"""The codebook as data (collabcomm.codebook.model): defaults, fractions, keying."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import minimal_codebook

from collabcomm import codebook, published
from collabcomm.schema import SCALES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "data" / "examples"


def test_minimal_codebook_takes_the_documented_defaults():
    cb = codebook.from_mapping(minimal_codebook(), "cb.yaml")
    assert (cb.missing_codes, cb.min_items, cb.min_respondents) == ((), 1.0, 5)
    assert cb.scales == ["a", "b"] and cb.columns == ["r", "u", "a1", "a2", "b1", "b2"]
    assert cb.needed("a") == 2 and cb.published_alpha("a") != cb.published_alpha("a")  # NaN


@pytest.mark.parametrize("fraction, k, needed", [
    (0.8, 5, 4), (0.7, 10, 7), (1.0, 3, 3), (0.5, 3, 2), (0.01, 4, 1), (0.6, 3, 2)])
def test_min_items_as_a_fraction(fraction, k, needed):
    items = [{"id": f"q{j}", "scale": "s"} for j in range(k)]
    cb = codebook.from_mapping(minimal_codebook(items=items, min_items=fraction))
    assert cb.needed("s") == needed


def test_min_items_float_count_is_a_count():
    assert codebook.from_mapping(minimal_codebook(min_items=2.0)).min_items == 2


def test_keying_uses_each_items_own_range():
    cb = codebook.from_mapping(minimal_codebook(items=[
        {"id": "a1", "scale": "a"},
        {"id": "a2", "scale": "a", "reverse": True},
        {"id": "h1", "scale": "h", "reverse": True, "response_scale": {"min": 0, "max": 4}},
        {"id": "h2", "scale": "h", "response_scale": {"min": 0, "max": 4}}]))
    keyed = cb.keyed(pd.DataFrame({"a1": [1.0], "a2": [1.0], "h1": [0.0], "h2": [None]}))
    assert keyed.iloc[0].tolist()[:3] == [1.0, 5.0, 4.0]
    assert pd.isna(keyed.iloc[0]["h2"])
    assert cb.scale_range("h") == (0, 4) and cb.n_options("h") == 5


def test_scale_table_of_the_hospital_example():
    cb = codebook.load_codebook(EXAMPLES / "hospital_codebook.yaml")
    t = codebook.scale_table(cb)
    assert list(t.columns) == ["scale", "label", "items", "response_scale", "options", "needed",
                               "reversed", "published_alpha"]
    row = t.set_index("scale").loc["collaborative"]
    assert (row["label"], row["items"], row["response_scale"], row["options"], row["needed"],
            row["reversed"]) == ("Collaborative", 3, "1-7", 7, 2, "collaborative_disagreements")
    assert t["published_alpha"].isna().all()
    published_alphas = codebook.scale_table(codebook.exhibit1())["published_alpha"]
    assert list(published_alphas) == list(published.alphas()[list(SCALES)])
