"""The data and R values of tests/reference/psych_missing.R, shared by the tests of missing
answers in reliability and of omega: lq2002 with 5 % of its answers deleted, and multilevel's
cohesion with its one real missing answer, each as a survey file with a codebook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from collabcomm import codebook

REPO = Path(__file__).resolve().parents[1]
REF = REPO / "tests" / "reference"
LQ = REPO / "data" / "examples"
SCALES = {"LEAD": [f"LEAD{i:02d}" for i in range(1, 12)],
          "TSIG": [f"TSIG{i:02d}" for i in range(1, 4)],
          "HOSTIL": [f"HOSTIL{i:02d}" for i in range(1, 6)],
          "COH": [f"COH{i:02d}" for i in range(1, 6)]}


def reference() -> pd.DataFrame:
    """R's values: data, scale, missing (pairwise, listwise, omega), item, statistic, value."""
    return pd.read_csv(REF / "reliability_missing_reference.csv", keep_default_na=False,
                       dtype={"value": float})


def r_value(ref: pd.DataFrame, data: str, scale: str, missing: str, statistic: str,
            item: str = "") -> float:
    hit = ref[(ref["data"] == data) & (ref["scale"] == scale) & (ref["missing"] == missing)
              & (ref["statistic"] == statistic) & (ref["item"] == item)]
    assert len(hit) == 1, (data, scale, missing, statistic, item)
    return float(hit["value"].iloc[0])


def lq2002_missing_file(folder: Path) -> Path:
    """data/examples/lq2002_items.csv with the answers of lq2002_deleted.csv blank."""
    data = pd.read_csv(LQ / "lq2002_items.csv", dtype={"respondent": str})
    deleted = pd.read_csv(REF / "lq2002_deleted.csv")
    row = data.set_index("respondent").index.get_indexer(deleted["respondent"])
    assert (row >= 0).all()
    data = data.astype({c: "Int64" for c in data.columns[2:]})
    for r, item in zip(row, deleted["item"], strict=True):
        data.loc[r, item] = pd.NA
    path = folder / "lq2002_missing.csv"
    data.to_csv(path, index=False)
    return path


def cohesion_file(folder: Path) -> tuple[Path, codebook.Codebook]:
    """multilevel's cohesion (UNIT as the unit, PLATOON left out) and a codebook for it."""
    data = pd.read_csv(REF / "multilevel_cohesion.csv").drop(columns="PLATOON")
    path = folder / "cohesion.csv"
    data.astype({c: "Int64" for c in SCALES["COH"]}).to_csv(path, index=False)
    cb = codebook.from_mapping({
        "respondent": "respondent", "unit": "UNIT", "response_scale": {"min": 1, "max": 5},
        "min_items": 1, "min_respondents": 1,
        "items": [{"id": c, "scale": "COH"} for c in SCALES["COH"]]}, "cohesion codebook")
    return path, cb


def lq2002_codebook() -> codebook.Codebook:
    return codebook.load_codebook(LQ / "lq2002_codebook.yaml")
