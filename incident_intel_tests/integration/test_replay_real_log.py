"""A few days of the real ServiceNow event log, replayed over HTTP into bronze and silver."""

from datetime import date, timedelta

import polars as pl
import pytest

from incident_intel.ingest.bronze import read_bronze_pages, write_bronze_partition
from incident_intel.ingest.source import SimulatedIncidentSource
from incident_intel.partitions import day_window
from incident_intel.settings import SimulatorSection
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.silver.parse import build_silver_partition

DAYS = [date(2016, 2, 29) + timedelta(days=i) for i in range(3)]


@pytest.fixture(scope="module")
def replayed(servicenow_event_log, tmp_path_factory):
    root = tmp_path_factory.mktemp("replay")
    source = SimulatedIncidentSource(
        simulator=SimulatorSection(mode="replay", replay_csv=str(servicenow_event_log))
    )
    mapping = load_schema_mapping().source(source.mapping)
    partitions = {}
    try:
        for day in DAYS:
            start, end = day_window(day)
            directory = root / day.isoformat()
            write_bronze_partition(
                directory,
                source.pull_window(start, end),
                source_url=source.url,
                window_start=start,
                window_end=end,
            )
            partitions[day] = build_silver_partition(
                read_bronze_pages(directory), mapping, day, (start, end)
            )
    finally:
        source.teardown_after_execution(None)
    return partitions


def _csv_rows_updated_on(path, day: date) -> int:
    frame = pl.read_csv(path, infer_schema=False, columns=["sys_updated_at"])
    parsed = frame["sys_updated_at"].str.strptime(pl.Datetime, "%d/%m/%Y %H:%M", strict=False)
    return int((parsed.dt.date() == day).sum())


def test_every_csv_row_of_the_day_arrives(replayed, servicenow_event_log):
    for day, partition in replayed.items():
        assert partition.bronze_records == _csv_rows_updated_on(servicenow_event_log, day)
        assert partition.versions.height + partition.rejects.height == partition.bronze_records


def test_real_bad_rows_are_rejected_with_their_reason(replayed):
    rejects = replayed[date(2016, 2, 29)].rejects
    reasons = rejects["reason"].to_list()
    assert len(reasons) == 5
    assert all(r == "sys_updated_on: before opened_at" for r in reasons)
    assert all('"number"' in raw for raw in rejects["raw_record"])


def test_versions_keep_one_row_per_key(replayed):
    for partition in replayed.values():
        versions = partition.versions
        assert versions.select("sys_id", "sys_updated_on").is_unique().all()
        assert versions["assignment_group_display"].str.starts_with("Group ").any()
