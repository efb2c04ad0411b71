"""The retraining sensor against a real Dagster instance holding real drift check evaluations."""

import dagster as dg
import pytest

from incident_intel.feedback.request import FeedbackIn
from incident_intel.feedback.store import FeedbackStore
from incident_intel.scoring.drift_checks import CHECK_SPECS, FEATURE_DRIFT, RISK_DRIFT
from incident_intel.sensors import REASON_TAG, retraining_job, retraining_sensor
from incident_intel.settings import DriftSettings, SettingsResource
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import OPEN_INCIDENT_SCORES


@pytest.fixture
def instance():
    with dg.DagsterInstance.ephemeral() as instance:
        yield instance


def evaluate_drift(instance: dg.DagsterInstance, feature_drift: str | None) -> None:
    """A scoring run whose feature drift check fails at `feature_drift` (None: it passes), and
    whose risk drift check passes."""

    @dg.asset(key=OPEN_INCIDENT_SCORES.key, check_specs=CHECK_SPECS)
    def stand_in() -> dg.MaterializeResult:
        return dg.MaterializeResult(
            check_results=[
                dg.AssetCheckResult(
                    check_name=FEATURE_DRIFT,
                    passed=feature_drift is None,
                    severity=dg.AssetCheckSeverity(feature_drift or "WARN"),
                ),
                dg.AssetCheckResult(check_name=RISK_DRIFT, passed=True),
            ]
        )

    assert dg.materialize([stand_in], instance=instance).success


def add_feedback(root, records: int) -> None:
    store = FeedbackStore(LakePaths(root).feedback)
    start = store.count()
    for n in range(start, start + records):
        store.add(
            FeedbackIn(feedback_id=f"fb-{n}", number="INC1", field="category", value="network")
        )


class Sensor:
    """The sensor ticking as the daemon runs it: each tick starts from the last tick's cursor."""

    def __init__(self, instance, root, retrain_at: str = "ERROR") -> None:
        self.instance, self.cursor = instance, None
        self.resources = {
            "lake": LakeResource(data_dir=str(root)),
            "settings": SettingsResource(drift=DriftSettings(retrain_at=retrain_at)),
        }

    def tick(self) -> list[dg.RunRequest]:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources=self.resources
        )
        result = retraining_sensor(context)
        self.cursor = result.cursor
        assert bool(result.run_requests) != bool(result.skip_reason)
        return result.run_requests or []


def test_it_targets_the_models_and_the_report():
    assert retraining_sensor.job_name == retraining_job.name == "retraining"


def test_nothing_to_act_on_launches_nothing(instance, tmp_path):
    sensor = Sensor(instance, tmp_path)
    assert sensor.tick() == []
    evaluate_drift(instance, None)
    assert sensor.tick() == []


def test_a_warning_launches_only_when_warnings_are_asked_to(instance, tmp_path):
    evaluate_drift(instance, "WARN")
    assert Sensor(instance, tmp_path).tick() == []
    [request] = Sensor(instance, tmp_path, retrain_at="WARN").tick()
    assert "open_incident_scores_feature_drift WARN" in request.tags[REASON_TAG]


def test_each_drift_error_launches_one_retraining(instance, tmp_path):
    sensor = Sensor(instance, tmp_path)
    evaluate_drift(instance, "ERROR")
    [request] = sensor.tick()
    assert "open_incident_scores_feature_drift ERROR" in request.tags[REASON_TAG]
    assert sensor.tick() == []
    evaluate_drift(instance, None)
    assert sensor.tick() == []
    evaluate_drift(instance, "ERROR")
    [again] = sensor.tick()
    assert again.run_key != request.run_key


def test_each_batch_of_feedback_launches_one_retraining(instance, tmp_path):
    sensor = Sensor(instance, tmp_path)
    add_feedback(tmp_path, 49)
    assert sensor.tick() == []
    add_feedback(tmp_path, 1)
    [request] = sensor.tick()
    assert request.tags[REASON_TAG] == "50 feedback records since the last retraining"
    assert sensor.tick() == []
    add_feedback(tmp_path, 49)
    assert sensor.tick() == []
    add_feedback(tmp_path, 1)
    assert len(sensor.tick()) == 1
