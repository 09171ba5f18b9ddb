"""The rows of audit.csv: one per compared quantity, in schema.AUDIT_COLUMNS, with where it sits
in its exhibit's grid.

Every check takes the published tables in the formats of collabcomm.published (so tests can
pass hand-made tables) and returns rows in audit.csv's columns:
check, exhibit, quantity, published, reproduced, status, note.
"""

from __future__ import annotations

import pandas as pd

from ..schema import AUDIT_COLUMNS, AUDIT_STATUSES

CELL_COLUMNS = ("cell_row", "cell_col")
"""Where a row's quantity sits in its exhibit's grid (for the summary figure); not written to
audit.csv, which has exactly the columns of schema.AUDIT_COLUMNS (data/README.md)."""


def _row(check, exhibit, quantity, published_value, reproduced, status, note="", cell=("", "")):
    return {"check": check, "exhibit": exhibit, "quantity": quantity,
            "published": published_value, "reproduced": reproduced, "status": status,
            "note": note, "cell_row": cell[0], "cell_col": cell[1]}


def _frame(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=[*AUDIT_COLUMNS, *CELL_COLUMNS])
    bad = set(df["status"]) - set(AUDIT_STATUSES)
    if bad:
        raise ValueError(f"unknown audit status {bad}")
    return df
