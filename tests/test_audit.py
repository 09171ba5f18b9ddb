"""The audit as a whole (collabcomm.audit): every check family gathered by run_all, and the
summaries the notebook and the figure show. Each family has its own test file,
tests/test_audit_<family>.py, mirroring lib/collabcomm/audit/<family>.py."""

from __future__ import annotations

from tables import statuses

from collabcomm import audit
from collabcomm.schema import AUDIT_STATUSES, FACETS


def test_every_public_name_is_importable_from_the_package():
    missing = [name for name in audit.__all__ if not hasattr(audit, name)]
    assert missing == []


def test_run_all_gathers_every_check_family(paper_audit):
    assert set(statuses(paper_audit)) <= set(AUDIT_STATUSES)
    assert set(paper_audit["check"].str.split("_").str[0]) >= {
        "grim", "correlation", "exhibit4", "exhibit5", "text"}


def test_summary_counts_every_row_once(paper_audit):
    table = audit.summary(paper_audit)
    assert list(table.columns) == list(AUDIT_STATUSES)
    assert table.loc["all checks"].sum() == len(paper_audit)


def test_cell_status_one_status_per_cell_and_scale_rows_reach_every_item(paper_audit):
    cells = audit.cell_status(paper_audit)
    assert not cells.duplicated(["exhibit", "cell_row", "cell_col"]).any()
    assert set(cells["status"]) <= set(AUDIT_STATUSES)
    five = cells[cells["exhibit"] == "5"]
    assert "*" not in set(five["cell_col"]) and set(five["cell_col"]) <= set(FACETS)
