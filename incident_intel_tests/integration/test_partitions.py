"""Partition semantics: idempotent rewrites, backfill = day-by-day, nothing new on a re-pull."""

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from incident_intel.bench.faults_lake import same_versions, synthetic_store
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.settings import SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel_tests.integration.harness import (
    CANONICAL,
    current_incidents,
    materialize,
    silver_versions,
)

FIRST = date(2026, 1, 10)
DAYS = [FIRST + timedelta(days=i) for i in range(10)]


@pytest.fixture(scope="module")
def store():
    return synthetic_store(incidents_per_day=60, start_date=FIRST)


@pytest.fixture(scope="module")
def server(store):
    with SimulatorServer(store, SimulatorSettings(username="u", password="p")) as running:
        yield running


@pytest.fixture
def source(server):
    return ServiceNowIncidentSource(
        instance_url=server.url, username="u", password="p", pull=SourceSettings(page_size=250)
    )


def _truth_incidents(store, first: date, last: date) -> pl.DataFrame:
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    versions = store.ground_truth(start, end)
    newest = versions.sort("sys_updated_on").group_by("sys_id", maintain_order=True).last()
    return newest.select(CANONICAL).sort("sys_id")


def test_rewriting_a_partition_gives_identical_silver(tmp_path, source):
    materialize(tmp_path, source, "2026-01-12")
    first = silver_versions(tmp_path, date(2026, 1, 12))
    incidents_first = current_incidents(tmp_path)
    materialize(tmp_path, source, "2026-01-12")
    assert silver_versions(tmp_path, date(2026, 1, 12)).equals(first)
    assert current_incidents(tmp_path).equals(incidents_first)


def test_day_by_day_equals_single_run_backfill_equals_ground_truth(tmp_path, store, source):
    one_by_one, backfill = tmp_path / "one_by_one", tmp_path / "backfill"
    for day in DAYS:
        materialize(one_by_one, source, day.isoformat())
    materialize(
        backfill,
        source,
        tags={
            "dagster/asset_partition_range_start": DAYS[0].isoformat(),
            "dagster/asset_partition_range_end": DAYS[-1].isoformat(),
        },
    )
    truth = _truth_incidents(store, DAYS[0], DAYS[-1])
    assert truth.height > 500
    assert same_versions(current_incidents(one_by_one), truth)
    assert same_versions(current_incidents(backfill), truth)


def test_days_built_out_of_order_warn_and_rebuilding_them_in_order_restores_the_truth(
    tmp_path, store, source
):
    # A day's changes continue from the versions of the days before it.
    complete = []
    for day in reversed(DAYS[:3]):
        result = materialize(tmp_path, source, day.isoformat())
        [history] = [
            e
            for e in result.get_asset_check_evaluations()
            if e.check_name == "incident_versions_history_complete"
        ]
        complete.append(history.passed)
    assert complete == [False, False, True]
    for day in DAYS[1:3]:
        materialize(tmp_path, source, day.isoformat())
    assert same_versions(current_incidents(tmp_path), _truth_incidents(store, DAYS[0], DAYS[2]))


def test_a_second_pull_adds_nothing_new(tmp_path, source):
    first = materialize(tmp_path, source, "2026-01-15")
    second = materialize(tmp_path, source, "2026-01-15")

    def merged(result) -> tuple[int, int]:
        [event] = [
            e
            for e in result.get_asset_materialization_events()
            if e.asset_key.to_user_string() == "silver/incidents"
        ]
        metadata = event.materialization.metadata
        return metadata["inserted"].value, metadata["updated"].value

    assert merged(first)[0] > 0
    assert merged(second) == (0, 0)


def test_a_window_in_the_future_yields_zero_records(tmp_path, source):
    materialize(tmp_path, source, "2026-03-01")
    assert silver_versions(tmp_path, date(2026, 3, 1)).height == 0
    manifest = tmp_path / "bronze" / "incident_pages" / "date=2026-03-01" / "manifest.json"
    assert '"record_count": 0' in manifest.read_text()
