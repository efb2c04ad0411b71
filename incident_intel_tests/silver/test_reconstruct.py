"""Versions rebuilt from the audit trail: forward from an insert or an earlier version."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from incident_intel.silver.audit import AUDIT_SCHEMA
from incident_intel.silver.cast import cast_canonical
from incident_intel.silver.mapping import canonical_columns, load_schema_mapping
from incident_intel.silver.parse import versions_schema
from incident_intel.silver.reconstruct import reconstruct_versions

API = load_schema_mapping().source("servicenow_table_api")
COLUMNS = canonical_columns(API.fields)


def versions(*rows: dict) -> pl.DataFrame:
    """Typed canonical versions from canonical strings."""
    raw = pl.DataFrame(
        [{c: row.get(c) for c in COLUMNS} for row in rows],
        schema=dict.fromkeys(COLUMNS, pl.String),
        orient="row",
    )
    typed, reason = cast_canonical(raw, API)
    assert reason.null_count() == len(reason), reason.to_list()
    schema = versions_schema(API.fields)
    return typed.with_columns(
        pl.lit("h").alias("record_hash"),
        pl.lit("snapshot").alias("version_source"),
        pl.lit(date(2026, 1, 5)).alias("partition_date"),
    ).cast(schema)


def audit(*rows: tuple) -> pl.DataFrame:
    """Audit changes from (sys_id, time, field, old, new, checkpoint)."""
    return pl.DataFrame(
        [
            {
                "audit_id": f"a{i}",
                "sys_id": sys_id,
                "event": "change",
                "fieldname": field,
                "oldvalue": old,
                "newvalue": new,
                "record_checkpoint": checkpoint,
                "changed_at": datetime.fromisoformat(at).replace(tzinfo=UTC),
                "user": "system",
                "partition_date": date(2026, 1, 5),
            }
            for i, (sys_id, at, field, old, new, checkpoint) in enumerate(rows)
        ],
        schema=AUDIT_SCHEMA,
    )


BASE = {
    "number": "INC1",
    "state": "New",
    "opened_at": "2026-01-05 10:00:00",
    "priority": "3",
    "sys_mod_count": "0",
}


def insert(sys_id: str, at: str, **fields: str) -> list[tuple]:
    values = {"number": "INC-" + sys_id, "state": "1", "priority": "3", "opened_at": at, **fields}
    return [(sys_id, at, f, "", v, 0) for f, v in values.items()]


@pytest.fixture
def rebuilt():
    changes = audit(
        *insert("a", "2026-01-05 10:00:00", assignment_group="g1"),
        ("a", "2026-01-05 11:00:00", "state", "1", "2", 1),
        ("a", "2026-01-05 11:00:00", "assignment_group", "g1", "g2", 1),
        ("b", "2026-01-05 12:00:00", "state", "2", "6", 5),
        ("b", "2026-01-05 12:00:00", "resolved_at", "", "2026-01-05 12:00:00", 5),
        ("c", "2026-01-05 13:00:00", "state", "2", "6", 3),
        ("e", "2026-01-05 14:00:00", "state", "2", "6", 7),
    )
    prior = versions(
        {
            **BASE,
            "sys_id": "b",
            "number": "INC-b",
            "state": "In Progress",
            "opened_at": "2026-01-04 09:00:00",
            "sys_updated_on": "2026-01-04 09:30:00",
            "assignment_group": "g1",
            "assignment_group_display": "Group One",
            "sys_mod_count": "4",
        }
    )
    snapshots = versions(
        {
            **BASE,
            "sys_id": "a",
            "number": "INC-a",
            "state": "In Progress",
            "sys_updated_on": "2026-01-05 11:00:00",
            "assignment_group": "g2",
            "assignment_group_display": "Group Two",
            "sys_mod_count": "1",
        },
        {
            **BASE,
            "sys_id": "c",
            "number": "INC-c",
            "state": "Resolved",
            "opened_at": "2025-12-01 09:00:00",
            "sys_updated_on": "2026-01-05 13:00:00",
            "sys_mod_count": "3",
        },
    )
    return reconstruct_versions(changes, prior, snapshots, API)


def test_an_insert_is_replayed_forward_with_display_names_from_the_records(rebuilt):
    a = rebuilt.versions.filter(pl.col("sys_id") == "a").sort("sys_updated_on")
    assert a["state"].to_list() == ["New", "In Progress"]
    assert a["assignment_group"].to_list() == ["g1", "g2"]
    # g1's name comes from another incident's record; g2's from the record pulled at 11:00.
    assert a["assignment_group_display"].to_list() == ["Group One", "Group Two"]
    assert a["sys_mod_count"].to_list() == [0, 1]
    assert a["sys_created_on"].to_list() == [datetime(2026, 1, 5, 10, tzinfo=UTC)] * 2
    assert set(a["version_source"]) == {"audit"}


def test_a_change_continues_from_the_latest_earlier_version(rebuilt):
    (b,) = rebuilt.versions.filter(pl.col("sys_id") == "b").to_dicts()
    assert b["state"] == "Resolved"
    assert b["resolved_at"] == datetime(2026, 1, 5, 12, tzinfo=UTC)
    assert b["assignment_group_display"] == "Group One"
    assert b["opened_at"] == datetime(2026, 1, 4, 9, tzinfo=UTC)
    assert b["sys_mod_count"] == 5


def test_an_older_incident_pulled_that_day_is_rebuilt_from_its_record(rebuilt):
    (c,) = rebuilt.versions.filter(pl.col("sys_id") == "c").to_dicts()
    assert (c["state"], c["version_source"]) == ("Resolved", "audit")


def test_an_incident_with_neither_base_nor_record_is_left_out_and_counted(rebuilt):
    assert rebuilt.versions.filter(pl.col("sys_id") == "e").is_empty()
    assert (rebuilt.touched, rebuilt.from_audit, rebuilt.incomplete) == (4, 3, 1)
    assert rebuilt.mismatched == 0
    assert rebuilt.incomplete_share == pytest.approx(1 / 4)


def test_a_record_that_disagrees_with_the_trail_wins_and_is_counted():
    changes = audit(*insert("a", "2026-01-05 10:00:00", assignment_group="g1"))
    snapshot = versions(
        {
            **BASE,
            "sys_id": "a",
            "number": "INC-a",
            "sys_updated_on": "2026-01-05 10:00:00",
            "assignment_group": "g9",
        }
    )
    result = reconstruct_versions(changes, versions(), snapshot, API)
    assert result.mismatched == 1
    assert result.versions["version_source"].to_list() == ["snapshot"]
    assert result.versions["assignment_group"].to_list() == ["g9"]


def test_without_audit_access_every_incident_is_a_snapshot():
    snapshot = versions(
        {**BASE, "sys_id": "a", "number": "INC-a", "sys_updated_on": "2026-01-05 10:00:00"}
    )
    result = reconstruct_versions(audit(), versions(), snapshot, API, audit_available=False)
    assert result.versions["version_source"].to_list() == ["snapshot"]
    assert (result.touched, result.incomplete, result.incomplete_share) == (1, 1, 1.0)


def test_a_field_cleared_in_the_trail_is_null_and_unknown_fields_are_listed():
    changes = audit(
        *insert("a", "2026-01-05 10:00:00", category="network"),
        ("a", "2026-01-05 11:00:00", "category", "network", "", 1),
        ("a", "2026-01-05 11:00:00", "u_custom", "", "x", 1),
    )
    result = reconstruct_versions(changes, versions(), versions(), API)
    a = result.versions.sort("sys_updated_on")
    assert a["category"].to_list() == ["network", None]
    assert result.unmapped_fields == {"u_custom"}


def test_a_record_updated_after_the_trail_pulled_is_a_version_after_the_rebuilt_ones():
    changes = audit(*insert("a", "2026-01-05 10:00:00", assignment_group="g1"))
    ahead = versions(
        {
            **BASE,
            "sys_id": "a",
            "number": "INC-a",
            "state": "In Progress",
            "sys_updated_on": "2026-01-05 12:00:00",
            "assignment_group": "g1",
            "sys_mod_count": "1",
        }
    )
    result = reconstruct_versions(changes, versions(), ahead, API)
    assert result.mismatched == 0
    assert result.versions["version_source"].to_list() == ["audit", "snapshot"]
    assert result.versions["state"].to_list() == ["New", "In Progress"]


def test_without_an_audited_insert_the_day_is_anchored_on_the_record_pulled():
    changes = audit(
        ("d", "2026-01-05 11:00:00", "state", "1", "2", 1),
        ("d", "2026-01-05 11:00:00", "assignment_group", "g1", "g2", 1),
        ("d", "2026-01-05 12:00:00", "state", "2", "6", 2),
    )
    pulled = versions(
        {
            **BASE,
            "sys_id": "d",
            "number": "INC-d",
            "state": "Resolved",
            "sys_created_on": "2026-01-05 10:00:00",
            "sys_updated_on": "2026-01-05 12:00:00",
            "assignment_group": "g2",
            "assignment_group_display": "Group Two",
            "sys_mod_count": "2",
        }
    )
    result = reconstruct_versions(changes, versions(), pulled, API)
    d = result.versions.sort("sys_updated_on")
    assert d["state"].to_list() == ["New", "In Progress", "Resolved"]
    assert d["assignment_group"].to_list() == ["g1", "g2", "g2"]
    assert d["sys_mod_count"].to_list() == [0, 1, 2]
    assert d["sys_updated_on"][0] == datetime(2026, 1, 5, 10, tzinfo=UTC)
    assert set(d["version_source"]) == {"audit"}
    assert (result.incomplete, result.mismatched) == (0, 0)
