"""Every row of a replayed export is served or rejected: none vanishes on a green run."""

from datetime import date

import dagster as dg
import pytest

from incident_intel.bench.faults_lake import lake_resources
from incident_intel.ingest.assets import build_bronze_assets
from incident_intel.ingest.source import SimulatedIncidentSource
from incident_intel.partitions import daily_partitions, day_window
from incident_intel.settings import SimulatorSection
from incident_intel.silver.assets import build_silver_assets
from incident_intel.silver.day import build_silver_day
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.storage.paths import LakePaths
from incident_intel_tests.integration.harness import pull_day

DAY = date(2016, 3, 1)
HEADER = "number,incident_state,sys_mod_count,opened_at,sys_updated_at,priority\n"
ROWS = [
    "INC0000001,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate",
    # The update time of this version does not parse: no window can serve it.
    "INC0000001,Active,1,1/3/2016 09:00,31/2/2016 99:99,3 - Moderate",
    "INC0000002,New,0,1/3/2016 10:00,1/3/2016 10:00,2 - High",
    "INC0000002,Active,1,1/3/2016 10:00,1/3/2016 11:00,2 - High",
]


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n")
    return path


def _source(export) -> SimulatedIncidentSource:
    return SimulatedIncidentSource(
        simulator=SimulatorSection(mode="replay", replay_csv=str(export))
    )


def test_a_row_no_window_can_serve_is_a_reject_with_its_reason(tmp_path, export):
    source = _source(export)
    paths = LakePaths(tmp_path)
    window = day_window(DAY)
    try:
        pull_day(paths, source, DAY)
    finally:
        source.teardown_after_execution(None)
    built = build_silver_day(paths, load_schema_mapping().source(source.mapping), DAY, window)
    # Each row is a version rebuilt from the trail, or a reject: 3 + 1.
    assert built.versions.height == 3
    assert set(built.versions["version_source"]) == {"audit"}
    [reason] = built.rejects["reason"].to_list()
    assert "sys_updated_on: '31/2/2016 99:99' is not a datetime" in reason


def test_an_export_that_loses_a_quarter_of_its_rows_fails_its_partition(tmp_path, export):
    partitions = daily_partitions(date(2016, 2, 29))
    result = dg.materialize(
        [*build_bronze_assets(partitions), build_silver_assets(partitions)[0]],
        partition_key=DAY.isoformat(),
        resources={**lake_resources(tmp_path), "source": _source(export)},
        raise_on_error=False,
    )
    [evaluation] = [
        e for e in result.get_asset_check_evaluations() if e.check_name.endswith("reject_rate")
    ]
    assert not evaluation.passed
    assert "1 of 4 records rejected" in evaluation.description
    assert "is not a datetime" in evaluation.description
    assert not result.success
