"""When to retrain: a drift check at or above a severity, or enough feedback since the last
retraining. Each event launches one retraining, however often the question is asked."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from incident_intel.monitoring.drift import Severity


@dataclass(frozen=True)
class RetrainingCursor:
    """What has been acted on: the newest drift check evaluation seen (evaluation ids grow with
    every evaluation), and the feedback count when the last retraining was launched."""

    evaluation_id: int = 0
    feedback_at_launch: int = 0

    @classmethod
    def parse(cls, text: str | None) -> RetrainingCursor:
        return cls(**json.loads(text)) if text else cls()

    def serialise(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class DriftEvaluation:
    """The newest completed evaluation of one drift check: OK when it passed."""

    check_name: str
    evaluation_id: int
    severity: Severity


@dataclass(frozen=True)
class RetrainingDecision:
    reasons: tuple[str, ...]  # empty: no retraining
    cursor: RetrainingCursor
    feedback_received: int

    @property
    def run_key(self) -> str:
        """Names this event, so that it is launched once even if asked again."""
        return f"drift-{self.cursor.evaluation_id}-feedback-{self.cursor.feedback_at_launch}"


def decide(
    cursor: RetrainingCursor,
    evaluations: Sequence[DriftEvaluation],
    feedback_count: int,
    retrain_at: Severity,
    retrain_after_feedback: int,
) -> RetrainingDecision:
    """Retrain when an evaluation newer than the cursor is at `retrain_at` or above, or when
    `retrain_after_feedback` records arrived since the last launch.

    A feedback count below the cursor's means the store was replaced: everything in it is new.
    """
    new = [e for e in evaluations if e.evaluation_id > cursor.evaluation_id]
    reasons = [
        f"{e.check_name} {e.severity.name} (evaluation {e.evaluation_id})"
        for e in new
        if e.severity >= retrain_at
    ]
    since = cursor.feedback_at_launch if feedback_count >= cursor.feedback_at_launch else 0
    received = feedback_count - since
    if received >= retrain_after_feedback:
        reasons.append(f"{received} feedback records since the last retraining")
    seen = max([cursor.evaluation_id, *(e.evaluation_id for e in new)])
    return RetrainingDecision(
        reasons=tuple(reasons),
        cursor=RetrainingCursor(
            evaluation_id=seen, feedback_at_launch=feedback_count if reasons else since
        ),
        feedback_received=received,
    )
