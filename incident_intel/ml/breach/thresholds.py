"""Alert thresholds for a risk score, tuned three ways; alert when score >= threshold."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class ThresholdChoice:
    rule: str
    threshold: float
    precision: float
    recall: float
    f1: float
    alert_rate: float

    def as_dict(self) -> dict[str, float | str]:
        return asdict(self)


def _validated(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(scores, dtype=float)
    if y.shape != p.shape or y.ndim != 1 or len(y) == 0:
        raise ValueError("y_true and scores must be non-empty 1-d arrays of equal length")
    if not y.any():
        raise ValueError("threshold tuning needs at least one positive")
    return y, p


def _curve(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, ...]:
    """Precision, recall and alert rate at every distinct score, highest threshold first."""
    order = np.argsort(-p, kind="stable")
    sorted_scores, sorted_y = p[order], y[order]
    tp = np.cumsum(sorted_y)
    alerts = np.arange(1, len(y) + 1)
    # Alerting on score >= t includes every tie of t, so keep the last position of each score.
    last_of_score = np.r_[np.flatnonzero(np.diff(sorted_scores)), len(y) - 1]
    tp, alerts = tp[last_of_score], alerts[last_of_score]
    precision = tp / alerts
    recall = tp / y.sum()
    return sorted_scores[last_of_score], precision, recall, alerts / len(y)


def _f1(precision: np.ndarray | float, recall: np.ndarray | float) -> np.ndarray:
    precision, recall = np.asarray(precision), np.asarray(recall)
    total = precision + recall
    return np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)


def _choice(rule: str, curve: tuple[np.ndarray, ...], i: int) -> ThresholdChoice:
    thresholds, precision, recall, alert_rate = curve
    return ThresholdChoice(
        rule=rule,
        threshold=float(thresholds[i]),
        precision=float(precision[i]),
        recall=float(recall[i]),
        f1=float(_f1(precision[i], recall[i])),
        alert_rate=float(alert_rate[i]),
    )


def max_f1(y_true, scores) -> ThresholdChoice:
    """The threshold with the highest F1 (the highest such threshold on ties)."""
    curve = _curve(*_validated(y_true, scores))
    return _choice("max_f1", curve, int(np.argmax(_f1(curve[1], curve[2]))))


def recall_at_least(y_true, scores, target: float = 0.8) -> ThresholdChoice:
    """The highest threshold whose recall reaches `target`, i.e. the fewest alerts that do."""
    curve = _curve(*_validated(y_true, scores))
    i = int(np.argmax(curve[2] >= target - 1e-12))
    return _choice(f"recall_at_least_{target:g}", curve, i)


def top_fraction(y_true, scores, fraction: float = 0.01) -> ThresholdChoice:
    """The threshold that alerts on the top `fraction` of scores (more only on ties)."""
    y, p = _validated(y_true, scores)
    k = max(1, math.ceil(fraction * len(p)))
    threshold = float(np.sort(p)[::-1][k - 1])
    return evaluate_threshold(y, p, threshold, rule=f"top_fraction_{fraction:g}")


def evaluate_threshold(y_true, scores, threshold: float, rule: str = "fixed") -> ThresholdChoice:
    """Precision, recall, F1 and alert rate of a given threshold (e.g. one tuned on valid)."""
    y, p = _validated(y_true, scores)
    alert = p >= threshold
    tp = int((alert & (y == 1)).sum())
    precision = tp / alert.sum() if alert.any() else 0.0
    recall = tp / y.sum()
    return ThresholdChoice(
        rule=rule,
        threshold=float(threshold),
        precision=float(precision),
        recall=float(recall),
        f1=float(_f1(precision, recall)),
        alert_rate=float(alert.mean()),
    )


def tune_thresholds(
    y_true, scores, recall_target: float = 0.8, alert_fraction: float = 0.01
) -> dict[str, ThresholdChoice]:
    """All three rules, keyed "max_f1", "recall_at_least" and "top_fraction"."""
    return {
        "max_f1": max_f1(y_true, scores),
        "recall_at_least": recall_at_least(y_true, scores, recall_target),
        "top_fraction": top_fraction(y_true, scores, alert_fraction),
    }
