"""silver/feedback materialised from the store, and its labels reaching the next training."""

from datetime import UTC, date, datetime

import dagster as dg
import polars as pl
import pytest

from incident_intel.feedback import assets, checks
from incident_intel.feedback.request import FeedbackIn
from incident_intel.feedback.store import FeedbackStore
from incident_intel.feedback.table import FEEDBACK_SCHEMA
from incident_intel.ml.archetypes.assets import incident_clusters
from incident_intel.settings import ClusterSettings, ModelSettings, SettingsResource
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import FEEDBACK, INCIDENT_CLUSTERS, INCIDENT_VERSIONS
from incident_intel_tests.ml.support import write_tiny_gold

SILVER_FEEDBACK = [assets.feedback, checks.feedback_incidents_known]
SMALL_CLUSTERS = SettingsResource(
    models=ModelSettings(clusters=ClusterSettings(k_min=2, k_max=3, silhouette_sample=100))
)


def _materialize(root, assets_and_checks, **resources) -> dg.ExecuteInProcessResult:
    result = dg.materialize(
        assets_and_checks, resources={"lake": LakeResource(data_dir=str(root)), **resources}
    )
    assert result.success
    return result


def _row_count(result: dg.ExecuteInProcessResult) -> int:
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == FEEDBACK.key]
    return event.materialization.metadata["dagster/row_count"].value


def _silver_incidents(paths: LakePaths, *incidents: tuple[str, str]) -> None:
    """A day of silver versions holding just these (sys_id, number), one version each."""
    versions = pl.DataFrame(
        {
            "sys_id": [sys_id for sys_id, _ in incidents],
            "number": [number for _, number in incidents],
            "sys_updated_on": [datetime(2026, 1, 6, tzinfo=UTC)] * len(incidents),
            "sys_mod_count": [1] * len(incidents),
            "partition_date": [date(2026, 1, 6)] * len(incidents),
        }
    )
    write_parquet_atomic(versions, paths.partition_file(INCIDENT_VERSIONS, date(2026, 1, 6)))


def test_without_a_store_the_table_is_empty_and_typed(tmp_path):
    result = _materialize(tmp_path, SILVER_FEEDBACK)
    written = pl.read_parquet(LakePaths(tmp_path).table_file(FEEDBACK))
    assert written.is_empty() and written.schema == FEEDBACK_SCHEMA
    assert _row_count(result) == 0
    [check] = result.get_asset_check_evaluations()
    assert check.passed
    assert not LakePaths(tmp_path).feedback.exists()


def test_the_newest_feedback_per_label_is_published_and_unknown_incidents_warned_of(tmp_path):
    paths = LakePaths(tmp_path)
    _silver_incidents(paths, ("s1", "INC1"), ("s2", "INC2"))
    store = FeedbackStore(paths.feedback)
    store.add(FeedbackIn(feedback_id="f-1", sys_id="s1", field="category", value="network"))
    store.add(FeedbackIn(feedback_id="f-2", sys_id="s1", field="category", value="database"))
    store.add(FeedbackIn(feedback_id="f-3", number="INC2", field="sla_breached", value=True))
    store.add(FeedbackIn(feedback_id="f-4", number="INC404", field="ttr_hours", value=2))

    result = _materialize(tmp_path, SILVER_FEEDBACK)
    written = pl.read_parquet(paths.table_file(FEEDBACK))
    assert sorted(written["feedback_id"]) == ["f-2", "f-3", "f-4"]
    assert _row_count(result) == 3
    [check] = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["naming_unknown_incidents"].value == 1
    assert "INC404" in check.description


@pytest.mark.slow  # trains the archetypes twice (a few seconds)
def test_feedback_overrides_a_label_in_the_next_training(tmp_path):
    """A category corrected through the store reaches the next training: a new model version
    whose card counts the override and whose clusters are dominated by the corrected label."""
    paths = LakePaths(tmp_path)
    features = write_tiny_gold(paths)
    store = ModelStore(paths.models)
    train_both = [*SILVER_FEEDBACK, incident_clusters]

    _materialize(tmp_path, train_both, settings=SMALL_CLUSTERS)
    before = store.load(INCIDENT_CLUSTERS.name).card
    assert before["feedback"]["overrides"] == 0
    assert {p["dominant_category"] for p in before["metrics"]["profiles"]} == {"hardware"}

    vpn = features.filter(pl.col("short_description") == "vpn down")
    feedback = FeedbackStore(paths.feedback)
    for sys_id in vpn["sys_id"]:
        feedback.add(
            FeedbackIn(feedback_id=f"fb-{sys_id}", sys_id=sys_id, field="category", value="network")
        )
    _materialize(tmp_path, train_both, settings=SMALL_CLUSTERS)
    after = store.load(INCIDENT_CLUSTERS.name).card
    assert after["version"] != before["version"]
    assert after["data_fingerprint"] != before["data_fingerprint"]
    assert after["feedback"] == {
        "overrides": vpn.height,
        "by_field": {
            "assignment_group": 0,
            "category": vpn.height,
            "sla_breached": 0,
            "ttr_hours": 0,
        },
    }
    assert {p["dominant_category"] for p in after["metrics"]["profiles"]} == {"hardware", "network"}
