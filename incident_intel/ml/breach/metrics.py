"""Binary classification metrics for risk scores: ranking, calibration and confusion."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def _arrays(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=int)
    p = np.asarray(scores, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(f"y_true {y.shape} and scores {p.shape} must be equal 1-d shapes")
    return y, p


def roc_auc(y_true, scores) -> float:
    """ROC AUC; NaN when only one class is present, where it is undefined."""
    y, p = _arrays(y_true, scores)
    return float(roc_auc_score(y, p)) if len(np.unique(y)) == 2 else float("nan")


def pr_auc(y_true, scores) -> float:
    """Area under the precision-recall curve as average precision (no optimistic interpolation)."""
    y, p = _arrays(y_true, scores)
    return float(average_precision_score(y, p)) if y.any() else float("nan")


def brier(y_true, scores) -> float:
    y, p = _arrays(y_true, scores)
    return float(brier_score_loss(y, p))


def reliability_table(y_true, scores, n_bins: int = 10) -> pd.DataFrame:
    """Equal-width probability bins with mean predicted, observed rate and count.

    Empty bins are kept (count 0, NaN rates) so that tables of different models line up.
    """
    y, p = _arrays(y_true, scores)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bins = np.clip(np.digitize(p, edges[1:-1], right=False), 0, n_bins - 1)
    rows = []
    for b in range(n_bins):
        in_bin = bins == b
        count = int(in_bin.sum())
        rows.append(
            {
                "bin": b,
                "lower": edges[b],
                "upper": edges[b + 1],
                "mean_predicted": float(p[in_bin].mean()) if count else float("nan"),
                "observed_rate": float(y[in_bin].mean()) if count else float("nan"),
                "count": count,
            }
        )
    return pd.DataFrame(rows)


def confusion(y_true, scores, threshold: float) -> dict[str, int]:
    """Counts of tp, fp, tn and fn when alerting on score >= threshold."""
    y, p = _arrays(y_true, scores)
    alert = p >= threshold
    return {
        "tp": int((alert & (y == 1)).sum()),
        "fp": int((alert & (y == 0)).sum()),
        "tn": int((~alert & (y == 0)).sum()),
        "fn": int((~alert & (y == 1)).sum()),
    }


def binary_report(y_true, scores) -> dict[str, float]:
    """The threshold-free figures: ROC AUC, PR AUC, Brier score, base rate and mean score."""
    y, p = _arrays(y_true, scores)
    return {
        "roc_auc": roc_auc(y, p),
        "pr_auc": pr_auc(y, p),
        "brier": brier(y, p),
        "base_rate": float(y.mean()) if len(y) else float("nan"),
        "mean_score": float(p.mean()) if len(p) else float("nan"),
        "n": len(y),
    }
