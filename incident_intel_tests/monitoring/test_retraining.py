import pytest

from incident_intel.monitoring.drift import Severity
from incident_intel.monitoring.retraining import (
    DriftEvaluation,
    RetrainingCursor,
    decide,
)


def evaluation(evaluation_id: int, severity: Severity) -> DriftEvaluation:
    return DriftEvaluation("open_incident_scores_feature_drift", evaluation_id, severity)


@pytest.mark.parametrize(
    ("cursor", "evaluations", "feedback", "launch"),
    [
        (RetrainingCursor(), [], 0, False),
        (RetrainingCursor(), [evaluation(3, Severity.OK)], 0, False),
        (RetrainingCursor(), [evaluation(3, Severity.WARN)], 0, False),
        (RetrainingCursor(), [evaluation(3, Severity.ERROR)], 0, True),
        (RetrainingCursor(evaluation_id=3), [evaluation(3, Severity.ERROR)], 0, False),
        (RetrainingCursor(evaluation_id=3), [evaluation(4, Severity.ERROR)], 0, True),
        (RetrainingCursor(), [], 49, False),
        (RetrainingCursor(), [], 50, True),
        (RetrainingCursor(feedback_at_launch=50), [], 99, False),
        (RetrainingCursor(feedback_at_launch=50), [], 100, True),
        (RetrainingCursor(feedback_at_launch=80), [], 60, True),  # a new store: all 60 are new
    ],
    ids=[
        "nothing",
        "passed",
        "warn-below-error",
        "error",
        "error-already-acted-on",
        "a-newer-error",
        "feedback-short-of-50",
        "feedback-reaches-50",
        "feedback-since-launch-short",
        "feedback-since-launch-reaches",
        "feedback-store-replaced",
    ],
)
def test_what_launches_a_retraining(cursor, evaluations, feedback, launch):
    decision = decide(cursor, evaluations, feedback, Severity.ERROR, retrain_after_feedback=50)
    assert bool(decision.reasons) is launch


def test_one_event_launches_once_however_often_asked():
    cursor, launches = RetrainingCursor(), 0
    for feedback in (10, 60, 60, 70, 109, 110, 110):
        decision = decide(cursor, [evaluation(7, Severity.ERROR)], feedback, Severity.ERROR, 50)
        launches += bool(decision.reasons)
        cursor = RetrainingCursor.parse(decision.cursor.serialise())
    # The error once (its retraining takes the 10 records in), then 50 more at 60 and at 110.
    assert launches == 3
    assert cursor == RetrainingCursor(evaluation_id=7, feedback_at_launch=110)


def test_a_warning_launches_when_warnings_are_enough():
    decision = decide(RetrainingCursor(), [evaluation(2, Severity.WARN)], 0, Severity.WARN, 50)
    assert decision.reasons == ("open_incident_scores_feature_drift WARN (evaluation 2)",)
