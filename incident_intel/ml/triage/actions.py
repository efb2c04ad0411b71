"""What triage does with a prediction, and the smallest confidence that earns an action.

A prediction is auto-routed, suggested to a human or escalated, depending on whether its
confidence reaches the thresholds that `smallest_threshold` finds on held-out data.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from incident_intel.ml.triage.labels import OTHER

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


def class_thresholds(
    classes: Sequence[str],
    top: np.ndarray,
    confidence: np.ndarray,
    correct: np.ndarray,
    precision: float,
    min_support: int,
) -> dict[str, float]:
    """`smallest_threshold` per predicted class (`top` indexes `classes`); classes predicted
    fewer than `min_support` times share the threshold of all predictions pooled."""
    pooled = smallest_threshold(confidence, correct, precision, min_support)
    thresholds = {}
    for i, label in enumerate(classes):
        mine = top == i
        thresholds[label] = (
            smallest_threshold(confidence[mine], correct[mine], precision, min_support)
            if mine.sum() >= min_support
            else pooled
        )
    return thresholds


def chosen_actions(
    top_labels,
    top_confidences,
    auto_thresholds: dict[str, float],
    review_thresholds: dict[str, float],
) -> np.ndarray:
    """AUTO_ROUTE where the top-1 confidence reaches its class's auto threshold (never for
    "other", which names no destination), HUMAN_REVIEW where it reaches the review threshold,
    ESCALATE below both."""
    out = []
    for label, conf in zip(top_labels, top_confidences, strict=True):
        if label != OTHER and conf >= auto_thresholds[label]:
            out.append(AUTO_ROUTE)
        elif conf >= review_thresholds[label]:
            out.append(HUMAN_REVIEW)
        else:
            out.append(ESCALATE)
    return np.asarray(out, dtype=object)
