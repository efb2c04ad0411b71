"""The reject-rate check: a pull that loses its records cannot pass as a green run."""

import json
from datetime import UTC, date, datetime

import dagster as dg
import polars as pl
import pytest

from incident_intel.bench.faults_lake import lake_resources
from incident_intel.ingest.bronze import write_bronze_partition
from incident_intel.ingest.servicenow_client import PulledPage
from incident_intel.ingest.source import SimulatedIncidentSource
from incident_intel.partitions import daily_partitions
from incident_intel.silver.assets import build_silver_assets
from incident_intel.silver.checks import reject_rate
from incident_intel.silver.parse import REJECT_SCHEMA
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_PAGES, INCIDENT_VERSIONS
from incident_intel_tests.ingest.fake_table_api import record

DAY = date(2026, 1, 5)
START, END = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC)
CHECK = "incident_versions_reject_rate"


def _rejects(*reasons: str) -> pl.DataFrame:
    rows = [
        {
            "partition_date": DAY,
            "bronze_page": 1,
            "bronze_row": i,
            "sys_id": str(i),
            "sys_updated_on": None,
            "reason": reason,
            "raw_record": "{}",
        }
        for i, reason in enumerate(reasons)
    ]
    return pl.DataFrame(rows, schema=REJECT_SCHEMA)


def test_exact_repeats_lose_nothing_and_do_not_count():
    outcome = reject_rate(DAY, _rejects(*["duplicate: the same version"] * 50), 100, 0.05)
    assert outcome.passed
    assert outcome.metadata["lossy_rejects"] == 0


@pytest.mark.parametrize(("lossy", "passed"), [(5, True), (6, False)])
def test_the_limit_is_a_share_of_the_days_records(lossy, passed):
    accepted = 100 - lossy
    outcome = reject_rate(DAY, _rejects(*["state: '99' is not allowed"] * lossy), accepted, 0.05)
    assert outcome.passed is passed


def test_a_failure_names_the_day_and_the_commonest_reasons():
    reasons = ["state: missing"] * 7 + ["priority: missing"] * 3 + ["opened_at: bad"]
    outcome = reject_rate(DAY, _rejects(*reasons), 9, 0.05)
    assert not outcome.passed
    assert outcome.description.startswith("2026-01-05: 11 of 20 records rejected (55.0%")
    assert "state: missing (7); priority: missing (3); opened_at: bad (1)" in outcome.description


def _write_bronze(root, records: list[dict]) -> None:
    body = json.dumps({"result": records}).encode()
    write_bronze_partition(
        LakePaths(root).partition_dir(INCIDENT_PAGES, DAY),
        [PulledPage(number=1, query="", status=200, body=body, records=records)],
        source_url="http://source",
        window_start=START,
        window_end=END,
    )


def _materialize_silver(root) -> dg.ExecuteInProcessResult:
    versions_and_rejects, _ = build_silver_assets(daily_partitions(date(2026, 1, 1)))
    return dg.materialize(
        [versions_and_rejects],
        partition_key=DAY.isoformat(),
        # A simulator source that is never asked for pages: silver reads only its mapping.
        resources={**lake_resources(root), "source": SimulatedIncidentSource()},
        raise_on_error=False,
    )


def _without(fields: tuple[str, ...], sys_id: str) -> dict:
    full = record(sys_id, "2026-01-05 09:00:00")
    return {k: v for k, v in full.items() if k not in fields}


def test_a_pull_whose_every_record_is_rejected_fails_its_partition(tmp_path):
    _write_bronze(tmp_path, [_without(("state", "priority"), str(i)) for i in range(40)])
    result = _materialize_silver(tmp_path)
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK]
    assert not evaluation.passed
    assert "40 of 40 records rejected" in evaluation.description
    assert "state" in evaluation.description
    assert not result.success


def test_a_clean_pull_passes(tmp_path):
    _write_bronze(tmp_path, [record(str(i), "2026-01-05 09:00:00") for i in range(40)])
    result = _materialize_silver(tmp_path)
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK]
    assert evaluation.passed
    assert result.success
    assert LakePaths(tmp_path).partition_file(INCIDENT_VERSIONS, DAY).exists()
