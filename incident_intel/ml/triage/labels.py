"""Triage labels: as strings, rare and unknown ones folded into "other", and the top k."""

from __future__ import annotations

import numpy as np

OTHER = "other"


def as_labels(y) -> np.ndarray:
    """Labels as an object array of strings, so integer codes and names behave alike."""
    return np.asarray([str(v) for v in y], dtype=object)


def fold_rare(y, min_class_count: int) -> tuple[np.ndarray, list[str]]:
    """Labels with classes of fewer than `min_class_count` examples as "other", and those classes.

    A classifier cannot learn a class from a handful of tickets; "other" is never auto-routed.
    """
    labels = as_labels(y)
    values, counts = np.unique(labels, return_counts=True)
    rare = values[counts < min_class_count]
    folded = np.where(np.isin(labels, rare), OTHER, labels)
    if len(np.unique(folded)) < 2:
        raise ValueError("triage needs at least two classes after folding rare ones")
    return folded, sorted(rare)


def fold_unknown(y, classes: np.ndarray) -> np.ndarray:
    """Labels a classifier cannot predict (folded in training, or unseen) as "other"."""
    labels = as_labels(y)
    return np.where(np.isin(labels, classes), labels, OTHER)


def top_k(proba: np.ndarray, classes: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels and confidences of the k most likely classes, best first: two (n, k) arrays.

    With fewer than k classes the missing columns hold "" and 0.0.
    """
    width = min(k, proba.shape[1])
    order = np.argsort(-proba, axis=1, kind="stable")[:, :width]
    labels = np.full((len(proba), k), "", dtype=object)
    confidences = np.zeros((len(proba), k))
    labels[:, :width] = classes[order]
    confidences[:, :width] = np.take_along_axis(proba, order, axis=1)
    return labels, confidences
