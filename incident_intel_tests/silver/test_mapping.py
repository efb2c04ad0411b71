import dataclasses
from datetime import UTC, datetime

import polars as pl
import pytest
import yaml

from incident_intel.settings import DEFAULT_MAPPING_PATH
from incident_intel.silver.cast import cast_canonical
from incident_intel.silver.extract import extract_strings, flatten_api_record, stable_id
from incident_intel.silver.mapping import load_schema_mapping

MAPPING = load_schema_mapping()
API = MAPPING.source("servicenow_table_api")
CSV = MAPPING.source("servicenow_csv_export")


def _api_row(**overrides: str | None) -> dict[str, str | None]:
    row = {
        "sys_id": "a" * 32,
        "number": "INC0001",
        "state": "2",
        "opened_at": "2026-01-05 08:00:00",
        "sys_updated_on": "2026-01-05 09:00:00",
        "priority": "3",
        "caller_id": "c" * 32,
        "caller_id_display": "Ada Lovelace",
        "made_sla": "true",
    }
    row.update(overrides)
    return row


def _cast(rows: list[dict], source=API) -> tuple[pl.DataFrame, pl.Series]:
    columns = sorted({k for r in rows for k in r})
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String))
    return cast_canonical(extract_strings(frame, source), source)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"value": "abc", "display_value": "Network", "link": "x"}, ("abc", "Network")),
        ({"value": "abc", "link": "x"}, ("abc", None)),
        ("abc", ("abc", None)),
        ("", ("", None)),
    ],
)
def test_flatten_reads_every_display_value_shape(value, expected):
    flat = flatten_api_record({"assignment_group": value}, {"assignment_group"})
    assert (flat["assignment_group"], flat.get("assignment_group_display")) == expected


def test_table_api_values_become_canonical_types():
    typed, reason = _cast([_api_row()])
    row = typed.row(0, named=True)
    assert reason[0] is None
    assert row["state"] == "In Progress"
    assert row["priority"] == 3
    assert row["caller"] == "c" * 32 and row["caller_display"] == "Ada Lovelace"
    assert row["made_sla"] is True
    assert row["opened_at"].isoformat() == "2026-01-05T08:00:00+00:00"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"state": "-100"}, "state: '-100' is not one of"),
        ({"priority": "9"}, "priority: '9' is not one of"),
        ({"opened_at": "yesterday"}, "opened_at: 'yesterday' is not a datetime"),
        ({"sys_id": None}, "sys_id: missing"),
        ({"made_sla": "maybe"}, "made_sla: 'maybe' is not a bool"),
        ({"resolved_at": "2026-01-05 07:00:00"}, "resolved_at: before opened_at"),
        ({"sys_updated_on": "2026-01-05 07:00:00"}, "sys_updated_on: before opened_at"),
    ],
)
def test_invalid_values_are_explained(overrides, reason):
    _, reasons = _cast([_api_row(**overrides)])
    assert reason in reasons[0]


def test_empty_string_is_null_not_an_error():
    typed, reason = _cast([_api_row(resolved_at="", impact="")])
    assert reason[0] is None
    assert typed["resolved_at"][0] is None and typed["impact"][0] is None


def test_csv_export_maps_labels_patterns_and_derived_ids():
    row = {
        "number": "INC0000045",
        "incident_state": "Awaiting User Info",
        "opened_at": "29/2/2016 01:16",
        "sys_updated_at": "29/2/2016 01:23",
        "priority": "3 - Moderate",
        "impact": "2 - Medium",
        "assignment_group": "Group 56",
        "caller_id": "?",
        "closed_code": "code 5",
    }
    typed, reason = _cast([row], CSV)
    out = typed.row(0, named=True)
    assert reason[0] is None
    assert out["state"] == "On Hold" and out["priority"] == 3 and out["impact"] == 2
    assert out["sys_id"] == stable_id("sys_id", "INC0000045")
    assert out["assignment_group_display"] == "Group 56"
    assert out["assignment_group"] == stable_id("assignment_group", "Group 56")
    assert out["caller"] is None and out["close_code"] == "code 5"


def test_unknown_mapping_name_is_a_clear_error():
    with pytest.raises(KeyError, match="known"):
        MAPPING.source("jira")


@pytest.mark.parametrize(
    ("timezone", "utc"),
    [
        ("UTC", datetime(2016, 7, 1, 9, 30, tzinfo=UTC)),
        # Lisbon keeps summer time (UTC+1) in July; New York is on EDT (UTC-4).
        ("Europe/Lisbon", datetime(2016, 7, 1, 8, 30, tzinfo=UTC)),
        ("America/New_York", datetime(2016, 7, 1, 13, 30, tzinfo=UTC)),
    ],
)
def test_export_timestamps_are_read_on_the_exports_clock(timezone, utc):
    export = dataclasses.replace(CSV, timezone=timezone)
    parsed = pl.select(export.parse_timestamps(pl.lit("1/7/2016 09:30"))).item()
    assert parsed == utc


def test_an_unknown_export_time_zone_is_a_clear_error(tmp_path):
    mapping = yaml.safe_load(DEFAULT_MAPPING_PATH.read_text())
    mapping["sources"]["servicenow_csv_export"]["timezone"] = "Lisbon"
    path = tmp_path / "mapping.yaml"
    path.write_text(yaml.safe_dump(mapping))
    with pytest.raises(ValueError, match="'Lisbon' is not an IANA time zone"):
        load_schema_mapping(str(path))
