"""audit.csv's rows (collabcomm.audit.rows): the columns of schema.AUDIT_COLUMNS, known statuses."""

from __future__ import annotations

import pytest

from collabcomm.audit.rows import CELL_COLUMNS, _frame, _row
from collabcomm.schema import AUDIT_COLUMNS


def test_a_row_has_the_audit_columns_and_its_cell():
    frame = _frame([_row("grim", "2", "mean of x", "1.5", "possible", "match", "", ("x", "mean"))])
    assert list(frame.columns) == [*AUDIT_COLUMNS, *CELL_COLUMNS]
    assert frame.loc[0, "cell_row"] == "x" and frame.loc[0, "cell_col"] == "mean"


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="unknown audit status"):
        _frame([_row("grim", "2", "q", "1", "1", "fine")])
