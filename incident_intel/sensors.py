"""Sensors: retraining when the open incidents drift from what the breach model learnt, or when
enough feedback has arrived since the last retraining."""

import dagster as dg

from incident_intel.feedback.store import FeedbackStore
from incident_intel.monitoring.drift import Severity
from incident_intel.monitoring.retraining import (
    DriftEvaluation,
    RetrainingCursor,
    decide,
)
from incident_intel.scoring.drift_checks import DRIFT_CHECKS
from incident_intel.settings import SettingsResource
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import MODEL_EVALUATION, OPEN_INCIDENT_SCORES, SLA_BREACH_MODEL

REASON_TAG = "incident_intel/retraining_reason"

retraining_job = dg.define_asset_job(
    "retraining",
    # Every model, and the report that sets them beside their baselines; the features they
    # read are as fresh as the last daily run.
    selection=dg.AssetSelection.groups(SLA_BREACH_MODEL.layer, MODEL_EVALUATION.layer),
    description="Retrain every model on the current features, and report on them.",
)


def latest_drift_evaluation(instance: dg.DagsterInstance, name: str) -> DriftEvaluation | None:
    """The newest completed evaluation of a drift check; None before the first, or while one
    is still running."""
    record = instance.get_latest_asset_check_evaluation_record(
        dg.AssetCheckKey(OPEN_INCIDENT_SCORES.key, name)
    )
    evaluation = record.evaluation if record is not None else None
    if evaluation is None:
        return None
    severity = Severity.OK if evaluation.passed else Severity[evaluation.severity.value]
    return DriftEvaluation(name, record.id, severity)


@dg.sensor(job=retraining_job, minimum_interval_seconds=300)
def retraining_sensor(
    context: dg.SensorEvaluationContext, lake: LakeResource, settings: SettingsResource
) -> dg.SensorResult:
    """Launches one retraining per drift check evaluation at drift.retrain_at or above, and per
    feedback.retrain_after feedback records received since the last one it launched."""
    evaluations = [latest_drift_evaluation(context.instance, name) for name in DRIFT_CHECKS]
    decision = decide(
        RetrainingCursor.parse(context.cursor),
        [e for e in evaluations if e is not None],
        FeedbackStore(lake.paths.feedback).count(),
        Severity[settings.drift.retrain_at],
        settings.feedback.retrain_after,
    )
    cursor = decision.cursor.serialise()
    if not decision.reasons:
        return dg.SensorResult(
            skip_reason=f"no drift check at {settings.drift.retrain_at} or above since the last "
            f"look, and {decision.feedback_received} of {settings.feedback.retrain_after} "
            "feedback records",
            cursor=cursor,
        )
    request = dg.RunRequest(
        run_key=decision.run_key, tags={REASON_TAG: "; ".join(decision.reasons)}
    )
    return dg.SensorResult(run_requests=[request], cursor=cursor)
