import json
from datetime import UTC, date, datetime

import polars as pl

from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.silver.parse import build_silver_partition
from incident_intel_tests.ingest.fake_table_api import record

SOURCE = load_schema_mapping().source("servicenow_table_api")
DAY = date(2026, 1, 5)
WINDOW = (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC))


def _build(pages):
    bodies = [(number, json.dumps({"result": records}).encode()) for number, records in pages]
    return build_silver_partition(bodies, SOURCE, DAY, WINDOW)


def test_every_bronze_record_is_a_version_or_a_reject():
    pages = [
        (1, [record("a", "2026-01-05 09:00:00"), record("b", "2026-01-05 09:00:00", state="99")]),
        (2, [record("a", "2026-01-05 09:00:00"), record("z", "2026-01-06 00:00:00")]),
    ]
    part = _build(pages)
    assert part.bronze_records == 4
    assert part.versions.height + part.rejects.height == 4
    assert part.versions["sys_id"].to_list() == ["a"]
    reasons = dict(zip(part.rejects["sys_id"], part.rejects["reason"], strict=True))
    assert reasons["b"].startswith("state: '99'")
    assert reasons["a"].startswith("duplicate")
    assert "outside the pulled window" in reasons["z"]


def test_same_key_different_content_keeps_the_higher_mod_count():
    pages = [
        (
            1,
            [
                record("c", "2026-01-05 10:00:00", sys_mod_count="2", category="network"),
                record("c", "2026-01-05 10:00:00", sys_mod_count="1", category="email"),
            ],
        )
    ]
    part = _build(pages)
    assert part.versions["category"].to_list() == ["network"]
    assert part.rejects["reason"][0].startswith("superseded")


def test_rejects_keep_the_raw_record_and_its_position():
    part = _build([(3, [record("a", "2026-01-05 09:00:00", priority="x")])])
    reject = part.rejects.row(0, named=True)
    assert (reject["bronze_page"], reject["bronze_row"]) == (3, 0)
    assert '"priority": {"display_value": "x", "value": "x"}' in reject["raw_record"]


def test_the_same_pages_give_the_same_silver():
    pages = [(1, [record(str(i), f"2026-01-05 0{i}:00:00") for i in range(5)])]
    assert _build(pages).versions.equals(_build(list(reversed(pages))).versions)


def test_an_empty_day_gives_empty_frames_with_the_schema():
    part = _build([])
    assert part.versions.height == 0 and part.rejects.height == 0
    assert "sys_updated_on" in part.versions.columns


def test_schema_drift_names_unknown_and_missing_fields():
    part = _build([(1, [record("a", "2026-01-05 09:00:00", u_custom="1")])])
    assert "u_custom" in part.unknown_fields
    assert "description" in part.missing_fields


def test_fields_that_change_shape_between_records_are_read_the_same():
    empty_reference = record("b", "2026-01-05 10:00:00")
    empty_reference["caller_id"] = ""
    full_reference = record("a", "2026-01-05 09:00:00")
    full_reference["caller_id"] = {"value": "c1", "display_value": "Ada"}
    part = _build([(1, [full_reference, empty_reference])])
    assert part.versions.height == 2
    callers = dict(zip(part.versions["sys_id"], part.versions["caller_display"], strict=True))
    assert callers == {"a": "Ada", "b": None}
    assert part.versions.filter(pl.col("sys_id") == "b")["caller"][0] is None


def test_native_and_fallback_parsing_agree():
    records = [record(str(i), f"2026-01-05 0{i}:00:00", category="network") for i in range(5)]
    native = _build([(1, records)]).versions
    shapes_mixed = [*records, {**record("9", "2026-01-05 09:30:00"), "category": "plain"}]
    fallback = _build([(1, shapes_mixed)]).versions.filter(pl.col("sys_id") != "9")
    assert native.equals(fallback)
