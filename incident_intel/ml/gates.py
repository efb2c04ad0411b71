"""Promotion gates: beat the strongest baseline, and no feature may predict the label alone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from incident_intel.ml.bootstrap import resample_counts, weighted_average_precision, weighted_mean

RESAMPLES = 500
LEVEL = 0.9


@dataclass(frozen=True)
class GateResult:
    """A model against the strongest of its baselines on the test rows.

    `advantage` is how much better the model is, in the metric's units: positive when it is
    better (for an error, the baseline's minus the model's). `advantage_low` and
    `advantage_high` bound its paired bootstrap interval. The model `wins` when the advantage is
    positive, and the win is `beyond_noise` when the whole interval lies above zero. It
    `passed` (the blocking rule) unless the strongest baseline beats it beyond noise: when the
    whole interval lies at or below zero.
    """

    passed: bool
    wins: bool
    metric: str
    model_value: float
    baseline: str
    baseline_value: float
    higher_is_better: bool
    advantage: float
    advantage_low: float
    advantage_high: float
    interval_level: float
    beyond_noise: bool

    def as_dict(self) -> dict:
        return asdict(self)


# A metric over test rows as a function of bootstrap counts, (resamples, rows) -> (resamples,).
RowMetric = Callable[[np.ndarray], np.ndarray]


def strongest_baseline_gate(
    metric: str,
    model: RowMetric,
    baselines: dict[str, RowMetric],
    rows: int,
    higher_is_better: bool,
    seed: int,
    resamples: int = RESAMPLES,
    level: float = LEVEL,
) -> GateResult:
    """Fails a model that the strongest baseline beats beyond noise; NaN fails.

    On a few hundred test incidents a model and a default CatBoost that are equally good differ
    by a few hundredths of PR AUC either way, and a rule on the point estimate would then block
    a run by the toss of the test draw. So the blocking rule asks that the model could be the
    better one: its advantage's interval must reach above zero. Whether it wins on the point
    estimate (`wins`), and beyond noise (`beyond_noise`), is recorded beside it; the targets on
    real data ask for a win beyond noise.
    """
    if not baselines:
        raise ValueError("a gate needs at least one baseline")
    sign = 1.0 if higher_is_better else -1.0
    whole = np.ones((1, rows))
    values = {name: float(score(whole)[0]) for name, score in baselines.items()}
    strongest = max(values, key=lambda n: sign * values[n] if np.isfinite(values[n]) else -np.inf)
    model_value = float(model(whole)[0])
    advantage = sign * (model_value - values[strongest])
    counts = resample_counts(rows, resamples, seed)
    samples = sign * (model(counts) - baselines[strongest](counts))
    finite = samples[np.isfinite(samples)]  # a resample with no positive has no PR AUC
    tail = (1.0 - level) / 2
    low, high = np.quantile(finite, [tail, 1.0 - tail]) if finite.size else (np.nan, np.nan)
    return GateResult(
        passed=bool(np.isfinite(advantage) and np.isfinite(high) and high > 0),
        wins=bool(np.isfinite(advantage) and advantage > 0),
        metric=metric,
        model_value=model_value,
        baseline=strongest,
        baseline_value=values[strongest],
        higher_is_better=higher_is_better,
        advantage=float(advantage),
        advantage_low=float(low),
        advantage_high=float(high),
        interval_level=level,
        beyond_noise=bool(low > 0),
    )


def breach_gate(
    y_true, model_scores, baseline_scores: dict[str, np.ndarray], seed: int
) -> GateResult:
    """PR AUC (average precision) of the breach scores against the strongest baseline's."""
    y = np.asarray(y_true, dtype=int)

    def pr_auc(scores) -> RowMetric:
        return partial(weighted_average_precision, y, scores)

    return strongest_baseline_gate(
        "pr_auc",
        pr_auc(model_scores),
        {name: pr_auc(s) for name, s in baseline_scores.items()},
        len(y),
        True,
        seed,
    )


def ttr_gate(hours, model_hours, baseline_hours: dict[str, np.ndarray], seed: int) -> GateResult:
    """MAE in hours of the predicted resolution times against the strongest baseline's."""
    hours = np.asarray(hours, dtype=float)

    def mae(predicted) -> RowMetric:
        return partial(weighted_mean, np.abs(hours - np.asarray(predicted, dtype=float)))

    return strongest_baseline_gate(
        "mae_hours",
        mae(model_hours),
        {name: mae(p) for name, p in baseline_hours.items()},
        len(hours),
        False,
        seed,
    )


def triage_gate(
    truth, model_top1, baseline_top1: dict[str, np.ndarray], seed: int, target: str
) -> GateResult:
    """Top-1 accuracy for one triage target against the strongest baseline's.

    `truth` holds the labels as the classifiers fold them (rare and unseen ones into "other").
    """
    truth = np.asarray(truth, dtype=object)

    def top1(predicted) -> RowMetric:
        return partial(weighted_mean, np.asarray(predicted, dtype=object) == truth)

    return strongest_baseline_gate(
        f"{target}_top1_accuracy",
        top1(model_top1),
        {name: top1(p) for name, p in baseline_top1.items()},
        len(truth),
        True,
        seed,
    )


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
