"""A few days of the real ServiceNow event log, replayed over HTTP as a live instance serves it:
the incident table as current state, and history in sys_audit."""

from datetime import date, timedelta

import polars as pl
import pytest

from incident_intel.gold.features import build_features, extra_feature_columns
from incident_intel.ingest.source import SimulatedIncidentSource
from incident_intel.partitions import day_window
from incident_intel.settings import FeatureSettings, SimulatorSection
from incident_intel.silver.day import build_silver_day
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.simulator.replay import CSV_SOURCE, read_export, replay_versions
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_VERSIONS
from incident_intel_tests.integration.harness import pull_day

DAYS = [date(2016, 2, 29) + timedelta(days=i) for i in range(3)]


@pytest.fixture(scope="module")
def replayed(servicenow_event_log, tmp_path_factory):
    paths = LakePaths(tmp_path_factory.mktemp("replay"))
    source = SimulatedIncidentSource(
        simulator=SimulatorSection(mode="replay", replay_csv=str(servicenow_event_log))
    )
    mapping = load_schema_mapping().source(source.mapping)
    built = {}
    try:
        for day in DAYS:
            pull_day(paths, source, day)
            built[day] = build_silver_day(paths, mapping, day, day_window(day))
            write_parquet_atomic(built[day].versions, paths.partition_file(INCIDENT_VERSIONS, day))
    finally:
        source.teardown_after_execution(None)
    return built


@pytest.fixture(scope="module")
def export_changes(servicenow_event_log) -> pl.DataFrame:
    """Each export version that changes a mapped field (or inserts), by key: what a live
    instance's sys_audit can tell apart."""
    export = load_schema_mapping().source(CSV_SOURCE)
    versions = replay_versions(read_export(servicenow_event_log, export)).sort(
        "sys_id", "sys_updated_on"
    )
    compared = [c for c in versions.columns if c not in ("sys_updated_on", "sys_mod_count")]
    unchanged = pl.all_horizontal(
        pl.col(c).eq_missing(pl.col(c).shift(1).over("sys_id")) for c in compared
    )
    return versions.filter(~unchanged).select("sys_id", "sys_updated_on")


def test_every_change_of_the_day_is_a_version_or_a_reject(replayed, export_changes):
    for day, built in replayed.items():
        changes = export_changes.filter(pl.col("sys_updated_on").str.starts_with(str(day)))
        rebuilt = built.versions.filter(pl.col("version_source") == "audit")
        rejected = built.rejects.filter(pl.col("bronze_table") == "sys_audit")
        assert changes.height > 300
        assert rebuilt.height + rejected.height == changes.height
        assert built.rebuilt.incomplete == built.rebuilt.mismatched == 0


def test_real_bad_rows_are_rejected_with_their_reason(replayed):
    rejects = replayed[date(2016, 2, 29)].rejects
    reasons = rejects["reason"].to_list()
    assert len(reasons) == 5
    assert all(r == "sys_updated_on: before opened_at" for r in reasons)
    assert all('"number"' in raw for raw in rejects["raw_record"])


def test_versions_keep_one_row_per_key(replayed):
    for built in replayed.values():
        assert built.versions.select("sys_id", "sys_updated_on").is_unique().all()


def test_a_reference_is_named_as_the_records_pulled_name_it(replayed):
    versions = pl.concat(built.versions for built in replayed.values())
    named = versions.drop_nulls("assignment_group_display")
    assert named["assignment_group_display"].str.starts_with("Group ").all()
    assert (
        named.group_by("assignment_group")
        .agg(pl.col("assignment_group_display").n_unique())["assignment_group_display"]
        .max()
        == 1
    )


def test_the_exports_extra_fields_reach_silver_with_their_changes(replayed):
    versions = pl.concat(built.versions for built in replayed.values())
    assert all(not built.rebuilt.unmapped_fields for built in replayed.values())
    assert versions["x_knowledge"].is_in(["true", "false"]).all()
    assert versions["x_notify"].is_in(["Do Not Notify", "Send Email"]).all()
    assert versions["x_u_symptom"].drop_nulls().str.starts_with("Symptom ").all()
    # The priority is confirmed during many incidents' lives: the trail carries the change.
    confirmed = versions.group_by("sys_id").agg(pl.col("x_u_priority_confirmation").n_unique())
    assert (confirmed["x_u_priority_confirmation"] > 1).sum() > 10


def test_the_exports_extra_fields_reach_gold_as_of_opening(replayed):
    versions = pl.concat(built.versions for built in replayed.values())
    incidents = versions.sort("sys_updated_on").group_by("sys_id").last()
    features = build_features(
        versions, incidents, FeatureSettings(), load_schema_mapping().extras.values()
    ).filter(pl.col("known_at_prediction"))
    categorical, _, _ = extra_feature_columns(features)
    assert set(categorical) >= {"x_opened_by", "x_sys_created_by", "x_u_symptom", "x_notify"}
    # An opener is named wherever a record pulled in these days named them.
    openers = set(features["x_opened_by"].cast(pl.String).drop_nulls())
    named_in_silver = set(versions.drop_nulls("x_opened_by_display")["x_opened_by"])
    assert any(o.startswith("Opened by ") for o in openers)
    assert not openers & named_in_silver
    # The creator, never audited, comes from the incident's record once it is pulled.
    pulled = incidents.drop_nulls("x_sys_created_by").select("sys_id", "x_sys_created_by")
    joined = features.select("sys_id", pl.col("x_sys_created_by").cast(pl.String)).join(
        pulled, on="sys_id", suffix="_pulled"
    )
    assert joined.height > 0
    assert (joined["x_sys_created_by"] == joined["x_sys_created_by_pulled"]).all()
