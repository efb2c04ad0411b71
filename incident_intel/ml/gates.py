"""Promotion gates: a model must beat its baseline, and no feature may predict the label alone."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold


@dataclass(frozen=True)
class GateResult:
    passed: bool
    metric: str
    model_value: float
    baseline_value: float
    higher_is_better: bool

    def as_dict(self) -> dict:
        return asdict(self)


def beats_baseline(
    metric: str,
    model_value: float,
    baseline_value: float,
    higher_is_better: bool,
    min_margin: float = 0.0,
) -> GateResult:
    """Passes only when the model is strictly better by more than `min_margin`; NaN fails."""
    margin = model_value - baseline_value if higher_is_better else baseline_value - model_value
    passed = bool(np.isfinite(margin) and margin > min_margin)
    return GateResult(passed, metric, float(model_value), float(baseline_value), higher_is_better)


def breach_gate(model_pr_auc: float, baseline_pr_auc: float, min_margin: float = 0.0) -> GateResult:
    return beats_baseline("pr_auc", model_pr_auc, baseline_pr_auc, True, min_margin)


def ttr_gate(model_mae: float, baseline_mae: float, min_margin: float = 0.0) -> GateResult:
    return beats_baseline("mae_hours", model_mae, baseline_mae, False, min_margin)


def triage_gate(model_top1: float, baseline_top1: float, min_margin: float = 0.0) -> GateResult:
    return beats_baseline("top1_accuracy", model_top1, baseline_top1, True, min_margin)


def _out_of_fold_target_rate(values: pd.Series, y: np.ndarray, seed: int) -> np.ndarray:
    """Each row's category scored by the label rate of its category in the other folds.

    Out-of-fold, so that a unique value (an id) cannot look predictive just by being unique.
    """
    keys = values.astype("string").fillna("__missing__").to_numpy(dtype=object)
    encoded = np.full(len(y), y.mean())
    n_splits = min(5, int(np.bincount(y).min()))
    if n_splits < 2:
        return encoded
    for fit, held in StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(keys, y):
        rates = pd.Series(y[fit]).groupby(keys[fit]).mean()
        encoded[held] = pd.Series(keys[held]).map(rates).fillna(y[fit].mean()).to_numpy()
    return encoded


def single_feature_auc(X: pd.DataFrame, y, seed: int = 42) -> dict[str, float]:
    """max(AUC, 1 - AUC) of each column used alone as a score for a binary label.

    Numeric columns score by value (missing as the median); others by out-of-fold label rate.
    """
    y = np.asarray(y, dtype=int)
    if len(np.unique(y)) != 2:
        raise ValueError("single-feature AUC needs a binary label with both classes")
    aucs = {}
    for column in X.columns:
        values = X[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numeric = values.astype(float)
            score = numeric.fillna(numeric.median()).fillna(0.0).to_numpy()
        else:
            score = _out_of_fold_target_rate(values, y, seed)
        auc = float(roc_auc_score(y, score))
        aucs[column] = max(auc, 1.0 - auc)
    return aucs


def leakage_sentinel(
    X: pd.DataFrame, y, threshold: float = 0.95, seed: int = 42
) -> dict[str, float]:
    """Features whose single-feature AUC exceeds `threshold`: likely leaks of the outcome."""
    aucs = single_feature_auc(X, y, seed)
    return {c: a for c, a in sorted(aucs.items(), key=lambda kv: -kv[1]) if a > threshold}
