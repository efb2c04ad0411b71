"""The audit trail typed: changes and deletions, every bronze row accounted for."""

import json
from datetime import UTC, date, datetime

import polars as pl

from incident_intel.silver.audit import build_audit_partition

DAY = date(2026, 1, 5)
WINDOW = (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC))


def page(*records: dict) -> bytes:
    return json.dumps({"result": list(records)}).encode()


def change(sys_id: str, at: str, checkpoint: str = "1", **fields: str) -> dict:
    return {
        "sys_id": sys_id,
        "tablename": "incident",
        "documentkey": "inc1",
        "fieldname": "state",
        "oldvalue": "1",
        "newvalue": "2",
        "user": "admin",
        "record_checkpoint": checkpoint,
        "sys_created_on": at,
        **fields,
    }


def test_changes_and_deletions_are_typed_and_bad_rows_rejected_with_a_reason():
    changes = [
        (1, page(change("a1", "2026-01-05 10:00:00"), change("a2", "2026-01-05 11:00:00"))),
        # The first row repeats the previous page's last: a page overlap.
        (2, page(change("a2", "2026-01-05 11:00:00"), change("a3", "yesterday"))),
        (3, page(change("a4", "2026-01-07 00:00:00"), change("a5", "2026-01-05 12:00:00", ""))),
    ]
    deletion = {
        "sys_id": "d1",
        "tablename": "incident",
        "documentkey": "inc2",
        "display_value": "INC0002",
        "sys_created_on": "2026-01-05 13:00:00",
    }
    result = build_audit_partition(changes, [(4, page(deletion))], DAY, WINDOW)
    assert result.bronze_records == 7
    assert result.events.height + result.rejects.height == 7
    assert result.changes["audit_id"].to_list() == ["a1", "a2"]
    assert result.changes["record_checkpoint"].to_list() == [1, 1]
    assert result.changes["changed_at"][0] == datetime(2026, 1, 5, 10, tzinfo=UTC)
    (deleted,) = result.deletions.to_dicts()
    assert (deleted["sys_id"], deleted["event"]) == ("inc2", "delete")
    reasons = dict(zip(result.rejects["bronze_page"], result.rejects["reason"], strict=True))
    assert reasons[2].count("sys_created_on: not a datetime") == 1
    assert "duplicate:" in result.rejects.filter(pl.col("bronze_row") == 0)["reason"][0]
    assert (
        "outside the pulled window"
        in result.rejects.filter(pl.col("sys_updated_on") == "2026-01-07 00:00:00")["reason"][0]
    )
    assert (
        "record_checkpoint"
        in result.rejects.filter(pl.col("sys_updated_on") == "2026-01-05 12:00:00")["reason"][0]
    )
    assert set(result.rejects["bronze_table"]) == {"sys_audit"}
    overlap = result.rejects.filter(pl.col("bronze_row") == 0, pl.col("bronze_page") == 2)
    assert json.loads(overlap["raw_record"][0]) == change("a2", "2026-01-05 11:00:00")


def test_no_pages_make_an_empty_partition():
    result = build_audit_partition([], [], DAY, WINDOW)
    assert result.events.is_empty() and result.rejects.is_empty() and result.bronze_records == 0
