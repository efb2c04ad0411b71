"""Triage's calibration on held-out data:
- the fields model's share of the blend, by top-1 accuracy;
- a softmax temperature, so that confidences are calibrated probabilities;
- per-class confidence thresholds, ServiceNow-style: for each predicted class, the smallest
  top-1 confidence at which predictions of that class reach the auto-route precision, and the
  smallest reaching the review precision (suggest to a human).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import log_softmax

from incident_intel.ml.triage.actions import class_thresholds
from incident_intel.ml.triage.temperature import fitted_temperature


def tempered_proba(log_proba: np.ndarray, temperature: float) -> np.ndarray:
    return np.exp(log_softmax(log_proba / temperature, axis=1))


@dataclass(frozen=True)
class Calibration:
    fields_share: float
    top1_by_fields_share: dict[str, float]
    temperature: float
    auto_thresholds: dict[str, float]
    review_thresholds: dict[str, float]


def calibration(
    candidates: Sequence[np.ndarray],
    shares: Sequence[float],
    target: np.ndarray,
    classes: np.ndarray,
    precisions: tuple[float, float],
    min_support: int,
) -> Calibration:
    """`candidates` are the held-out log-probabilities at each of `shares`; `target` the class
    index of each row (-1 for a label no class stands for, always a miss); `precisions` the
    auto-route and review targets."""
    accuracy = [float((lp.argmax(axis=1) == target).mean()) for lp in candidates]
    best = int(np.argmax(accuracy))  # the first best: the smallest share on a tie
    log_proba = candidates[best]
    temperature = fitted_temperature(log_proba, target)
    proba = tempered_proba(log_proba, temperature)
    top = proba.argmax(axis=1)
    confidence = proba[np.arange(len(top)), top]
    correct = top == target
    auto, review = (
        class_thresholds(classes, top, confidence, correct, precision, min_support)
        for precision in precisions
    )
    return Calibration(
        fields_share=float(shares[best]),
        top1_by_fields_share={
            str(a): round(acc, 4) for a, acc in zip(shares, accuracy, strict=True)
        },
        temperature=temperature,
        auto_thresholds=auto,
        review_thresholds={c: min(t, auto[c]) for c, t in review.items()},
    )
