"""Paired bootstrap over test rows, as weights: each resample counts how often it drew each row.

A metric written as a function of those counts is evaluated on every resample at once, with
matrix operations instead of a Python loop; a row of ones gives the metric on the test set
itself. Scoring two models with the same counts pairs them: both see the same resampled rows.
"""

from __future__ import annotations

import numpy as np


def resample_counts(rows: int, resamples: int, seed: int) -> np.ndarray:
    """(resamples, rows) counts: how often each bootstrap resample of the rows drew each row."""
    rng = np.random.default_rng(seed)
    return rng.multinomial(rows, np.full(rows, 1.0 / rows), size=resamples)


def weighted_mean(values, counts: np.ndarray) -> np.ndarray:
    """The mean of per-row `values` under each resample's counts, shape (resamples,)."""
    return counts @ np.asarray(values, dtype=float) / counts.sum(axis=1)


def weighted_average_precision(y_true, scores, counts: np.ndarray) -> np.ndarray:
    """Average precision under each resample's counts, as sklearn's with `sample_weight`.

    The rows are sorted by score once for every resample; only the cumulative sums differ.
    NaN for a resample that drew no positive.
    """
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(scores, dtype=float)
    order = np.argsort(-s, kind="stable")
    weights = counts[:, order]
    true_positives = np.cumsum(weights * y[order], axis=1)
    alerts = np.cumsum(weights, axis=1)
    # Alerting on score >= t includes every tie of t, so keep the last position of each score.
    last_of_score = np.r_[np.flatnonzero(np.diff(s[order])), len(s) - 1]
    true_positives, alerts = true_positives[:, last_of_score], alerts[:, last_of_score]
    positives = true_positives[:, -1]
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(alerts > 0, true_positives / alerts, 0.0)
        recall_gain = np.diff(true_positives, axis=1, prepend=0.0) / positives[:, None]
    return (recall_gain * precision).sum(axis=1)
