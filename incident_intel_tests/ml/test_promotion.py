"""The models' shared inputs: gold, with the labels feedback corrected, fingerprinted whole."""

import pytest

from incident_intel.feedback.request import FeedbackIn
from incident_intel.feedback.store import FeedbackStore
from incident_intel.feedback.table import latest_feedback
from incident_intel.ml.promotion import gold_inputs
from incident_intel.settings import ModelSettings
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import FEEDBACK
from incident_intel_tests.ml.support import write_tiny_gold


@pytest.fixture
def lake(tmp_path) -> LakeResource:
    lake = LakeResource(data_dir=str(tmp_path))
    write_tiny_gold(lake.paths)
    return lake


def _publish_feedback(lake: LakeResource, *feedback: FeedbackIn) -> None:
    """Feedback through the store into silver/feedback, as the API and the asset put it."""
    store = FeedbackStore(lake.paths.feedback)
    for each in feedback:
        store.add(each)
    write_parquet_atomic(latest_feedback(store.frame()), lake.paths.table_file(FEEDBACK))


def test_before_any_feedback_the_features_are_golds_and_nothing_is_overridden(lake):
    inputs = gold_inputs(lake, ModelSettings())
    assert not lake.paths.table_file(FEEDBACK).exists()
    assert inputs.features["final_category"].unique().to_list() == ["hardware"]
    assert inputs.overrides.card()["overrides"] == 0


def test_feedback_overrides_labels_and_changes_the_fingerprint(lake):
    before = gold_inputs(lake, ModelSettings())
    _publish_feedback(
        lake,
        FeedbackIn(feedback_id="f-1", sys_id="s001", field="category", value="network"),
        FeedbackIn(feedback_id="f-2", number="INC0002", field="ttr_hours", value=1.5),
    )
    after = gold_inputs(lake, ModelSettings())
    changed = after.features.filter(after.features["sys_id"].is_in(["s001", "s002"]))
    assert changed.select("final_category", "ttr_hours").rows() == [
        ("network", 6.0),
        ("hardware", 1.5),
    ]
    assert after.overrides.card()["by_field"] == {
        "assignment_group": 0,
        "category": 1,
        "sla_breached": 0,
        "ttr_hours": 1,
    }
    assert after.fingerprint != before.fingerprint


def test_feedback_that_confirms_a_label_still_changes_the_fingerprint(lake):
    before = gold_inputs(lake, ModelSettings())
    _publish_feedback(
        lake, FeedbackIn(feedback_id="f-1", sys_id="s001", field="category", value="hardware")
    )
    after = gold_inputs(lake, ModelSettings())
    assert after.features.equals(before.features)
    assert after.overrides.card()["overrides"] == 1
    assert after.fingerprint != before.fingerprint
