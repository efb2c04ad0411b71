from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from incident_intel.scoring.as_of_day import load_at, open_at, resolved_by

DAY_END = datetime(2026, 1, 6, tzinfo=UTC)


def _version(sys_id, updated, state, resolved=None, group="Net", notes=None) -> dict:
    return {
        "sys_id": sys_id,
        "number": sys_id.upper(),
        "sys_updated_on": datetime(2026, 1, *updated, tzinfo=UTC),
        "sys_mod_count": updated[1],
        "partition_date": datetime(2026, 1, updated[0]).date(),
        "opened_at": datetime(2026, 1, 4, 8, tzinfo=UTC),
        "resolved_at": None if resolved is None else datetime(2026, 1, *resolved, tzinfo=UTC),
        "state": state,
        "assignment_group": group.lower(),
        "assignment_group_display": group,
        "close_code": None if notes is None else "Solved",
        "close_notes": notes,
    }


@pytest.fixture
def connection():
    versions = pl.DataFrame(
        [
            _version("a", (4, 9), "New"),
            _version("a", (6, 10), "Resolved", resolved=(6, 10), notes="too late for day 5"),
            _version("b", (4, 9), "New"),
            _version("b", (5, 12), "Resolved", resolved=(5, 12), notes="call ann@example.com"),
            _version("c", (4, 9), "In Progress", group="Desk"),
            _version("d", (5, 9), "New"),
        ]
    )
    audit = pl.DataFrame(
        {
            "sys_id": ["d"],
            "event": ["delete"],
            "changed_at": [datetime(2026, 1, 5, 20, tzinfo=UTC)],
        }
    )
    session = duckdb.connect()
    session.execute("SET TimeZone = 'UTC'; CREATE SCHEMA silver")
    session.register("v", versions)
    session.register("au", audit)
    session.execute("CREATE VIEW silver.incident_versions AS SELECT * FROM v")
    session.execute("CREATE VIEW silver.incident_audit AS SELECT * FROM au")
    yield session
    session.close()


def test_open_is_as_the_day_saw_it_later_resolutions_and_deletions_apart(connection):
    assert sorted(open_at(connection, DAY_END)["sys_id"]) == ["a", "c"]


def test_resolved_by_the_day_with_scrubbed_notes(connection):
    resolved = resolved_by(connection, DAY_END)
    assert resolved["sys_id"].to_list() == ["b"]
    assert resolved["ttr_hours"][0] == 28.0
    assert "ann@example.com" not in resolved["close_notes"][0]


def test_load_counts_open_incidents_by_group_name(connection):
    load = load_at(connection, DAY_END)
    assert load.backlog == {"Net": 1, "Desk": 1}
    assert len(load.recent_openings) == 0
    assert load.covered_until == DAY_END and load.hourly_arrivals[(7, 8)] == 3 / 4
