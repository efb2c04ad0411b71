"""Readers beside the pipeline: they see what the warehouse holds, and never stall an ingest."""

from datetime import date

import polars as pl
import pytest

from incident_intel.bench.faults_lake import synthetic_store
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.settings import SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.reader import lake_reader
from incident_intel.storage.tables import INCIDENT_VERSIONS
from incident_intel_tests.integration.harness import CANONICAL, current_incidents, materialize


@pytest.fixture(scope="module")
def source():
    settings = SimulatorSettings(username="u", password="p")
    with SimulatorServer(synthetic_store(incidents_per_day=60), settings) as server:
        yield ServiceNowIncidentSource(
            instance_url=server.url, username="u", password="p", pull=SourceSettings()
        )


def _reader_incidents(root) -> pl.DataFrame:
    with lake_reader(LakePaths(root)) as reader:
        return reader.sql("SELECT * FROM silver.incidents").pl().select(CANONICAL).sort("sys_id")


def test_the_readers_current_state_is_the_merged_table(tmp_path, source):
    for day in ("2026-01-10", "2026-01-11", "2026-01-12"):
        materialize(tmp_path, source, day)
    assert _reader_incidents(tmp_path).equals(current_incidents(tmp_path))


def test_a_reader_held_open_through_an_ingest_neither_stalls_it_nor_breaks(tmp_path, source):
    materialize(tmp_path, source, "2026-01-10")
    with lake_reader(LakePaths(tmp_path)) as reader:
        count = "SELECT count(*) FROM silver.incident_versions"
        [(before,)] = reader.sql(count).fetchall()
        # The reader's session stays open for the whole ingest of two more days, which writes
        # the warehouse and replaces Parquet files under it.
        materialize(tmp_path, source, "2026-01-11")
        materialize(tmp_path, source, "2026-01-10")
        [(after,)] = reader.sql(count).fetchall()
        incidents = reader.sql("SELECT count(*) FROM silver.incidents").fetchall()[0][0]
    day_two = LakePaths(tmp_path).partition_file(INCIDENT_VERSIONS, date(2026, 1, 11))
    assert after == before + pl.scan_parquet(day_two).select(pl.len()).collect().item()
    assert incidents == current_incidents(tmp_path).height
