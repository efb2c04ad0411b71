"""Triage metrics: top-k accuracy, macro F1, per-class figures, confusions and decision bands."""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.metrics import f1_score, precision_recall_fscore_support

from incident_intel.ml.triage.actions import ACTIONS, AUTO_ROUTE
from incident_intel.ml.triage.labels import as_labels


def triage_report(
    y_true, top_labels, top_confidences=None, actions=None, n_confusions: int = 10
) -> dict:
    """Figures for (n, k) top-k predictions against labels already folded by the model.

    With `actions`, also each band's coverage (share of incidents) and precision (share of its
    top-1 labels that are right); "coverage_at_target_precision" is the AUTO_ROUTE coverage.
    """
    y = as_labels(y_true)
    top = np.asarray(top_labels, dtype=object)
    if top.ndim != 2 or len(top) != len(y):
        raise ValueError("top_labels must be (n, k) with one row per label")
    predicted = top[:, 0]
    hit = predicted == y
    labels = sorted(set(y) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        y, predicted, labels=labels, zero_division=0
    )
    confusions = Counter(zip(y[~hit], predicted[~hit], strict=True)).most_common(n_confusions)
    report = {
        "n": len(y),
        "top1_accuracy": float(hit.mean()),
        "top3_accuracy": float((top[:, :3] == y[:, None]).any(axis=1).mean()),
        "macro_f1": float(f1_score(y, predicted, labels=labels, average="macro", zero_division=0)),
        "per_class": [
            {
                "label": label,
                "precision": float(p),
                "recall": float(r),
                "f1": float(f),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        ],
        "top_confusions": [{"true": t, "predicted": p, "count": c} for (t, p), c in confusions],
    }
    if top_confidences is not None:
        report["mean_top1_confidence"] = float(np.asarray(top_confidences)[:, 0].mean())
    if actions is not None:
        actions = np.asarray(actions, dtype=object)
        for action in ACTIONS:
            band = actions == action
            report[f"coverage_{action.lower()}"] = float(band.mean())
            report[f"precision_{action.lower()}"] = (
                float(hit[band].mean()) if band.any() else float("nan")
            )
        report["coverage_at_target_precision"] = report[f"coverage_{AUTO_ROUTE.lower()}"]
    return report
