"""What triage does with a prediction, and the smallest confidence that earns an action.

A prediction is auto-routed, suggested to a human or escalated, depending on whether its
confidence reaches the thresholds that `smallest_threshold` finds on held-out data.
"""

from __future__ import annotations

import numpy as np

AUTO_ROUTE = "AUTO_ROUTE"
HUMAN_REVIEW = "HUMAN_REVIEW"
ESCALATE = "ESCALATE"
ACTIONS = (AUTO_ROUTE, HUMAN_REVIEW, ESCALATE)


def smallest_threshold(
    confidence: np.ndarray, correct: np.ndarray, precision: float, min_support: int
) -> float:
    """Smallest confidence t where predictions with confidence >= t reach `precision`.

    Only thresholds keeping at least `min_support` predictions count, so that a handful of lucky
    predictions cannot set a threshold. Returns inf when none qualifies (never act).
    """
    order = np.argsort(-confidence, kind="stable")
    conf, hits = confidence[order], correct[order].astype(float)
    kept = np.arange(1, len(conf) + 1)
    running_precision = np.cumsum(hits) / kept
    # Alerting on conf >= t keeps every tie of t: evaluate at the last position of each value.
    last = np.r_[np.flatnonzero(np.diff(conf)), len(conf) - 1] if len(conf) else np.array([], int)
    ok = (running_precision[last] >= precision - 1e-12) & (kept[last] >= min_support)
    return float(conf[last][ok].min()) if ok.any() else float("inf")
