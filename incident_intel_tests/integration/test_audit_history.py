"""History on a live instance: the current-state table plus sys_audit, pulled over HTTP.

The simulator serves each incident once, as it is now, and its history in sys_audit. Silver
must rebuild every version the simulator generated from that, fall back to snapshots (and say
so) without audit access, flag deletions, and gold must refuse to learn from a backfill that
saw only current states.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import polars as pl
import pytest

from incident_intel.bench.faults_lake import lake_resources
from incident_intel.gold import assets as gold
from incident_intel.gold.checks import incident_features_known_at_prediction
from incident_intel.gold.features import build_features
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.settings import FeatureSettings, SourceSettings
from incident_intel.silver.mapping import DISPLAY_SUFFIX
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_AUDIT, INCIDENT_VERSIONS, INCIDENTS
from incident_intel.storage.warehouse import warehouse_at
from incident_intel_tests.integration.harness import CANONICAL, SILVER_ASSETS

FIRST = date(2026, 1, 10)
DAYS = [FIRST + timedelta(days=i) for i in range(6)]
# The backfill reaches the instance's present: every incident's current record is pulled.
CLOCK = datetime.combine(DAYS[-1] + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
USER, PASSWORD = "integration", "secret"
KEY = ["sys_id", "sys_updated_on"]


@pytest.fixture(scope="module")
def store():
    # Opened from FIRST on: every incident's insert is in the days pulled.
    return SyntheticIncidentStore(
        seed=23, incidents_per_day=50, start_date=FIRST, clock=lambda: CLOCK, deleted_share=0.03
    )


def _source(store, **settings) -> tuple[SimulatorServer, ServiceNowIncidentSource]:
    server = SimulatorServer(
        store, SimulatorSettings(username=USER, password=PASSWORD, **settings)
    ).start()
    source = ServiceNowIncidentSource(
        instance_url=server.url,
        username=USER,
        password=PASSWORD,
        pull=SourceSettings(page_size=500),
    )
    return server, source


def _backfill(data_dir, source, days=DAYS) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        SILVER_ASSETS,
        resources={"source": source, **lake_resources(data_dir)},
        tags={
            "dagster/asset_partition_range_start": days[0].isoformat(),
            "dagster/asset_partition_range_end": days[-1].isoformat(),
        },
    )
    assert result.success
    return result


def _checks(result) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _versions(data_dir) -> pl.DataFrame:
    files = [LakePaths(data_dir).partition_file(INCIDENT_VERSIONS, d) for d in DAYS]
    return pl.concat([pl.read_parquet(f) for f in files]).sort(KEY)


def _truth(store) -> pl.DataFrame:
    start = datetime.combine(DAYS[0], datetime.min.time(), tzinfo=UTC)
    return store.ground_truth(start, start + timedelta(days=len(DAYS))).select(CANONICAL).sort(KEY)


@pytest.fixture(scope="module")
def audited(store, tmp_path_factory):
    server, source = _source(store)
    data_dir = tmp_path_factory.mktemp("audited")
    try:
        result = _backfill(data_dir, source)
    finally:
        server.stop()
    return data_dir, result


def test_the_audit_trail_rebuilds_every_version_the_simulator_generated(store, audited):
    data_dir, result = audited
    versions, truth = _versions(data_dir), _truth(store)
    assert truth.height > 1000
    assert set(versions["version_source"]) == {"audit"}
    values = [c for c in CANONICAL if not c.endswith(DISPLAY_SUFFIX)]
    assert versions.select(values).equals(truth.select(values))
    # Display names are not in the trail: where the records pulled name a reference, it matches.
    for column in (c for c in CANONICAL if c.endswith(DISPLAY_SUFFIX)):
        shown = versions[column].is_not_null()
        assert versions.filter(shown)[column].equals(truth.filter(shown)[column])
    history = _checks(result)["incident_versions_history_complete"]
    assert history.passed and history.metadata["incomplete_share"].value == 0.0


def test_features_from_current_state_and_audit_equal_features_from_the_version_log(store, audited):
    data_dir, _ = audited
    settings = FeatureSettings()
    with warehouse_at(LakePaths(data_dir).warehouse, read_only=True).get_connection() as db:
        incidents = db.sql(f"SELECT * FROM {INCIDENTS.sql_name}").pl()
    lake = build_features(_versions(data_dir), incidents, settings)
    truth_versions = _truth(store).with_columns(pl.lit(DAYS[0]).alias("partition_date"))
    final = truth_versions.sort("sys_updated_on").group_by("sys_id", maintain_order=True).last()
    truth = build_features(truth_versions, final, settings)
    assert lake.height == truth.height > 250
    assert lake["known_at_prediction"].all()
    assert lake.sort("sys_id").equals(truth.sort("sys_id"))


def test_without_audit_access_silver_falls_back_to_snapshots_and_warns(store, tmp_path):
    server, source = _source(store, audit_forbidden_users=(USER,))
    try:
        result = _backfill(tmp_path, source, DAYS[:2])
    finally:
        server.stop()
    versions = pl.read_parquet(LakePaths(tmp_path).partition_file(INCIDENT_VERSIONS, DAYS[0]))
    assert set(versions["version_source"]) == {"snapshot"}
    history = _checks(result)["incident_versions_history_complete"]
    assert not history.passed and history.severity == dg.AssetCheckSeverity.WARN
    assert history.metadata["incomplete_share"].value == 1.0
    assert "sys_audit forbidden" in history.description
    paths = {
        e.materialization.metadata["history_path"].value
        for e in result.get_asset_materialization_events()
        if e.asset_key == INCIDENT_VERSIONS.key
    }
    assert paths == {"snapshots: sys_audit forbidden"}


def test_a_backfill_that_saw_only_current_states_blocks_training_and_says_why(store, tmp_path):
    server, source = _source(store, audit_forbidden_users=(USER,))
    try:
        _backfill(tmp_path, source)
    finally:
        server.stop()
    result = dg.materialize(
        [gold.incident_features, incident_features_known_at_prediction],
        resources=lake_resources(tmp_path),
        selection=[gold.incident_features.key],
        raise_on_error=False,
    )
    [check] = result.get_asset_check_evaluations()
    assert not check.passed
    assert check.metadata["unknown_share"].value > 0.9
    assert "sys_audit" in check.description and "leak" in check.description


def test_a_deleted_incident_is_flagged_in_silver_and_left_out_of_gold(store, audited):
    data_dir, _ = audited
    audit = pl.concat(
        pl.read_parquet(LakePaths(data_dir).partition_file(INCIDENT_AUDIT, d)) for d in DAYS
    )
    deleted = set(audit.filter(pl.col("event") == "delete")["sys_id"])
    assert deleted, "the simulator deletes a seeded share of incidents"
    with warehouse_at(LakePaths(data_dir).warehouse, read_only=True).get_connection() as db:
        flagged = set(
            db.sql(f"SELECT sys_id FROM {INCIDENTS.sql_name} WHERE deleted").pl()["sys_id"]
        )
    assert flagged == deleted
    result = dg.materialize(
        [gold.incident_features], resources=lake_resources(data_dir), raise_on_error=True
    )
    assert result.success
    features = pl.read_parquet(LakePaths(data_dir).table_file(gold.INCIDENT_FEATURES))
    assert not deleted & set(features["sys_id"])
