from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from incident_intel.simulator.canonical import from_versions, sort_key
from incident_intel.simulator.replay import ReplayIncidentStore
from incident_intel_tests.simulator.keyset import AUDIT, key, pull, value
from incident_intel_tests.simulator.support import assert_audit_rebuilds, serving

FIRST = datetime(2016, 3, 1, tzinfo=UTC)
DAYS = 2
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
CSV_FORMAT = "%d/%m/%Y %H:%M"
HEADER = (
    "number,incident_state,sys_mod_count,opened_at,sys_updated_at,priority,caller_id,"
    "assignment_group,made_sla\n"
)


@pytest.fixture(scope="module")
def replay(servicenow_event_log) -> ReplayIncidentStore:
    return ReplayIncidentStore(servicenow_event_log)


@pytest.fixture(scope="module")
def csv_rows(servicenow_event_log) -> pl.DataFrame:
    raw = pl.read_csv(servicenow_event_log, infer_schema=False)
    updated = pl.col("sys_updated_at").str.strptime(pl.Datetime("us"), CSV_FORMAT)
    end = FIRST + timedelta(days=DAYS)
    return raw.filter(updated.dt.replace_time_zone("UTC").is_between(FIRST, end, closed="left"))


def test_every_csv_row_of_the_days_is_one_version(replay, csv_rows):
    versions = replay.versions_between(FIRST, FIRST + timedelta(days=DAYS))
    assert len(versions) == csv_rows.height
    keys = [key(v) for v in versions]
    assert len(set(keys)) == len(keys) == len(sorted(keys))
    served = sorted((v["number"], v["sys_mod_count"]) for v in versions)
    expected = sorted(csv_rows.select("number", "sys_mod_count").iter_rows())
    assert served == expected


def test_same_minute_versions_get_distinct_seconds_in_mod_count_order(replay):
    versions = replay.versions_between(FIRST, FIRST + timedelta(days=DAYS))
    frame = from_versions(versions).with_columns(
        minute=pl.col("sys_updated_on").str.slice(0, 16),
        second=pl.col("sys_updated_on").str.slice(17, 2).cast(pl.Int64),
        mod=pl.col("sys_mod_count").cast(pl.Int64),
    )
    shared = frame.filter(pl.len().over("sys_id", "minute") > 1)
    assert shared.height > 0
    per_minute = shared.sort("mod").group_by("sys_id", "minute").agg("second")
    assert all(seconds == list(range(len(seconds))) for seconds in per_minute["second"].to_list())


def test_a_keyset_pull_over_http_returns_each_incident_s_latest_version(replay):
    # Closures, days after resolution, give most incidents their latest version in April.
    start, end = datetime(2016, 4, 2, tzinfo=UTC), datetime(2016, 4, 4, tzinfo=UTC)
    latest = {v["sys_id"]: v for v in replay.versions_between(*EVER)}
    bounds = (start.strftime("%F %T"), end.strftime("%F %T"))
    expected = [v for v in latest.values() if bounds[0] <= v["sys_updated_on"] < bounds[1]]
    with serving(replay) as client:
        pulled = pull(client, start, end, limit=500, display="all")
    assert pulled.keys == sorted(sort_key(v) for v in expected)
    assert len(pulled.rows) == len({value(r, "sys_id") for r in pulled.rows}) > 100
    assert value(pulled.rows[0], "number").startswith("INC")


def test_the_audit_of_the_export_rebuilds_every_version(replay):
    """Checked on the incidents first seen in the export's first days."""
    everything = replay.versions_between(*EVER)
    first_seen: dict[str, str] = {}
    for version in everything:
        first_seen.setdefault(version["sys_id"], version["sys_updated_on"])
    end = (FIRST + timedelta(days=DAYS)).strftime("%F %T")
    chosen = {sys_id for sys_id, seen in first_seen.items() if seen < end}
    versions = [v for v in everything if v["sys_id"] in chosen]
    rows = [r for r in replay.audit_between(*EVER) if r["documentkey"] in chosen]
    assert assert_audit_rebuilds(rows, versions) > 5000
    assert replay.deletions_between(*EVER) == []


def test_real_bad_rows_are_served_for_silver_to_reject(replay, servicenow_event_log):
    rejects = replay.ground_truth_rejects(*EVER)
    assert rejects.height > 0
    assert rejects["reason"].str.contains("sys_updated_on: before opened_at").all()
    accepted = replay.ground_truth(*EVER).height
    assert accepted + rejects.height == pl.read_csv(servicenow_event_log, infer_schema=False).height


def test_bad_values_are_served_verbatim(tmp_path):
    csv = tmp_path / "export.csv"
    csv.write_text(
        HEADER
        + "INC0000001,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate,Caller 1,Group 1,true\n"
        + "INC0000001,-100,1,not a date,1/3/2016 09:00,3 - Moderate,Caller 1,Group 1,true\n"
        + "INC0000001,Active,2,1/3/2016 09:00,1/3/2016 10:30,2 - High,Caller 1,?,false\n"
    )
    store = ReplayIncidentStore(csv)
    versions = store.versions_between(FIRST, FIRST + timedelta(days=1))
    assert [(v["sys_updated_on"], v["state"], v["opened_at"]) for v in versions] == [
        ("2016-03-01 09:00:00", "New", "2016-03-01 09:00:00"),
        ("2016-03-01 09:00:01", "-100", "not a date"),
        ("2016-03-01 10:30:00", "In Progress", "2016-03-01 09:00:00"),
    ]
    assert versions[2]["assignment_group"] is None
    assert versions[0]["assignment_group_display"] == "Group 1"
    rejects = store.ground_truth_rejects(FIRST, FIRST + timedelta(days=1))
    assert rejects["sys_mod_count"].to_list() == ["1"]
    assert "state: '-100'" in rejects["reason"][0]
    assert "opened_at: 'not a date' is not a datetime" in rejects["reason"][0]
    # At 10:00 the bad version is the incident's latest, so `incident` serves it.
    at_ten = ReplayIncidentStore(csv, clock=lambda: FIRST + timedelta(hours=10))
    with serving(at_ten) as client:
        (record,) = pull(client, FIRST, FIRST + timedelta(days=1), display="all").rows
    assert record["state"] == {"display_value": "-100", "value": "-100"}
    assert record["opened_at"]["value"] == "not a date"


def test_sys_audit_is_the_difference_between_consecutive_versions(tmp_path):
    csv = tmp_path / "export.csv"
    csv.write_text(
        HEADER
        + "INC0000001,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate,Caller 1,Group 1,true\n"
        + "INC0000002,New,0,1/3/2016 09:30,1/3/2016 09:30,4 - Low,Caller 2,?,true\n"
        + "INC0000001,Active,1,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate,Caller 1,Group 2,true\n"
        + "INC0000001,Active,2,1/3/2016 09:00,1/3/2016 10:30,2 - High,Caller 1,?,false\n"
        # Changes nothing ServiceNow audits: no row.
        + "INC0000001,Active,3,1/3/2016 09:00,1/3/2016 11:00,2 - High,Caller 1,?,false\n"
    )
    store = ReplayIncidentStore(csv)
    versions = store.versions_between(*EVER)
    ids = {v["assignment_group_display"]: v["assignment_group"] for v in versions}
    caller = {v["number"]: v["caller"] for v in versions}
    incident = {v["number"]: v["sys_id"] for v in versions}
    rows = store.audit_between(*EVER)
    assert [
        (r["documentkey"], r["fieldname"], r["oldvalue"], r["newvalue"], r["record_checkpoint"])
        for r in sorted(rows, key=lambda r: (r["sys_created_on"], r["fieldname"]))
    ] == [
        (incident["INC0000001"], "assignment_group", "", ids["Group 1"], "0"),
        (incident["INC0000001"], "caller_id", "", caller["INC0000001"], "0"),
        (incident["INC0000001"], "made_sla", "", "true", "0"),
        (incident["INC0000001"], "number", "", "INC0000001", "0"),
        (incident["INC0000001"], "opened_at", "", "2016-03-01 09:00:00", "0"),
        (incident["INC0000001"], "priority", "", "3", "0"),
        (incident["INC0000001"], "state", "", "1", "0"),
        (incident["INC0000001"], "assignment_group", ids["Group 1"], ids["Group 2"], "1"),
        (incident["INC0000001"], "state", "1", "2", "1"),
        (incident["INC0000002"], "caller_id", "", caller["INC0000002"], "0"),
        (incident["INC0000002"], "made_sla", "", "true", "0"),
        (incident["INC0000002"], "number", "", "INC0000002", "0"),
        (incident["INC0000002"], "opened_at", "", "2016-03-01 09:30:00", "0"),
        (incident["INC0000002"], "priority", "", "4", "0"),
        (incident["INC0000002"], "state", "", "1", "0"),
        (incident["INC0000001"], "assignment_group", ids["Group 2"], "", "2"),
        (incident["INC0000001"], "made_sla", "true", "false", "2"),
        (incident["INC0000001"], "priority", "3", "2", "2"),
    ]
    assert {r["sys_created_on"] for r in rows if r["record_checkpoint"] == "1"} == {
        "2016-03-01 09:00:01"
    }
    assert {(r["tablename"], r["user"], r["sys_created_by"]) for r in rows} == {
        ("incident", "system", "system")
    }
    assert len({r["sys_id"] for r in rows}) == len(rows)
    with serving(store) as client:
        pulled = pull(client, FIRST, FIRST + timedelta(days=1), paging=AUDIT)
    assert pulled.rows == rows
    current = store.current_between(*EVER)
    assert [(v["number"], v["sys_mod_count"]) for v in current] == [
        ("INC0000002", "0"),
        ("INC0000001", "3"),
    ]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the CSV export is empty"),
        ("number,incident_state\nINC1,Résolu\n".encode("latin-1"), "is not UTF-8"),
        (
            b"incident_state,sys_mod_count,opened_at,sys_updated_at,priority\n"
            b"New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate\n",
            "lacks the column(s) number (for number)",
        ),
        (
            b"number,sys_mod_count,opened_at,priority\nINC1,0,1/3/2016 09:00,3 - Moderate\n",
            "incident_state (for state), sys_updated_at (for sys_updated_on)",
        ),
    ],
    ids=["empty", "latin-1", "no number", "no state or update time"],
)
def test_an_unusable_export_is_refused_naming_the_file_and_the_problem(tmp_path, content, problem):
    csv = tmp_path / "export.csv"
    csv.write_bytes(content)
    with pytest.raises(ValueError, match="export") as refused:
        ReplayIncidentStore(csv)
    assert str(refused.value).startswith(f"{csv}: ")
    assert problem in str(refused.value)
