"""SLA-breach risk: train, calibrate, tune thresholds on valid, and report on test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from sklearn.metrics import precision_recall_curve

from incident_intel.ml.breach.baselines import (
    DefaultCatBoostBaseline,
    LogisticBaseline,
    PriorityRateBaseline,
)
from incident_intel.ml.breach.drift_reference import breach_drift_reference
from incident_intel.ml.breach.estimator import SlaBreachClassifier
from incident_intel.ml.breach.metrics import binary_report, confusion, reliability_table
from incident_intel.ml.breach.thresholds import evaluate_threshold, tune_thresholds
from incident_intel.ml.explanations import breach_factors, global_importance
from incident_intel.ml.gates import GateResult, breach_gate
from incident_intel.ml.resolution_time.training import LABEL as TTR_LABEL
from incident_intel.ml.tabular_data import TabularData, catboost_params, tabular_data
from incident_intel.monitoring.reference import DriftReference
from incident_intel.settings import DriftSettings, ModelSettings

LABEL = "sla_breached"


@dataclass(frozen=True)
class BreachTraining:
    model: SlaBreachClassifier
    data: TabularData
    thresholds: dict[str, dict[str, Any]]
    metrics: dict[str, Any]
    gate: GateResult
    drift_reference: DriftReference


def _labels(data: TabularData, split: str) -> np.ndarray:
    return data.rows[split][LABEL].cast(pl.Int8).to_numpy()


def _hours(data: TabularData, split: str) -> np.ndarray:
    """Hours to resolution, NaN where the incident is not resolved."""
    return data.rows[split][TTR_LABEL].cast(pl.Float64).fill_null(float("nan")).to_numpy()


def pr_curve_points(y: np.ndarray, scores: np.ndarray, points: int = 200) -> dict[str, list]:
    """The precision-recall curve, thinned to about `points` points for plotting."""
    precision, recall, _ = precision_recall_curve(y, scores)
    keep = np.unique(np.linspace(0, len(precision) - 1, min(points, len(precision))).astype(int))
    return {"precision": precision[keep].tolist(), "recall": recall[keep].tolist()}


def _at_thresholds(y: np.ndarray, scores: np.ndarray, tuned: dict) -> dict[str, dict[str, Any]]:
    """Test precision, recall and F1, with the confusion matrix, at each valid-tuned threshold."""
    report = {}
    for rule, choice in tuned.items():
        on_test = evaluate_threshold(y, scores, choice.threshold, rule).as_dict()
        report[rule] = {**on_test, "confusion": confusion(y, scores, choice.threshold)}
    return report


def _riskiest_explained(
    model: SlaBreachClassifier, data: TabularData, scores: np.ndarray, n: int = 5
) -> list[dict[str, Any]]:
    """The n riskiest test incidents with their top factors in words."""
    riskiest = np.argsort(-scores, kind="stable")[:n]
    factors = breach_factors(model, data.X["test"].iloc[riskiest])
    numbers = data.rows["test"]["number"].gather(riskiest).to_list()
    return [
        {"number": number, "risk": float(scores[i]), "factors": [f.text for f in row]}
        for number, i, row in zip(numbers, riskiest, factors, strict=True)
    ]


def train_breach(
    features: pl.DataFrame,
    embeddings: pl.DataFrame | None,
    settings: ModelSettings,
    drift_min_incidents: int = DriftSettings().min_incidents,
) -> BreachTraining:
    own = settings.sla_breach
    data = tabular_data(
        features,
        pl.col(LABEL).is_not_null(),
        embeddings,
        components=settings.embedding_components,
        seed=settings.seed,
    )
    model = SlaBreachClassifier(**catboost_params(data, own, settings.seed)).fit(
        data.X["train"],
        _labels(data, "train"),
        data.X["valid"],
        _labels(data, "valid"),
        data.opened_days("train"),
        data.opened_days("valid"),
        _hours(data, "train"),
        _hours(data, "valid"),
    )

    baselines = {
        "priority_rate": PriorityRateBaseline(),
        "logistic": LogisticBaseline(cat_features=data.cat_features),
        "catboost_default": DefaultCatBoostBaseline(data.cat_features, seed=settings.seed),
    }
    # Baselines learn from everything before the test period, as the model's refit does.
    tabular_only = data.tabular_columns
    y_past = np.concatenate([_labels(data, "train"), _labels(data, "valid")])
    for baseline in baselines.values():
        baseline.fit(data.past(tabular_only), y_past)

    y_valid, y_test = _labels(data, "valid"), _labels(data, "test")
    tuned = tune_thresholds(
        y_valid,
        model.valid_proba_,
        recall_target=own.recall_target,
        alert_fraction=own.alert_fraction,
    )
    test_scores = model.predict_proba(data.X["test"])[:, 1]
    baseline_scores = {
        name: b.predict_proba(data.X["test"][tabular_only])[:, 1] for name, b in baselines.items()
    }
    metrics = {
        "model": binary_report(y_test, test_scores),
        "baselines": {n: binary_report(y_test, s) for n, s in baseline_scores.items()},
        "thresholds": _at_thresholds(y_test, test_scores, tuned),
        "test_window": data.opened_window("test"),
        "reliability": reliability_table(y_test, test_scores).to_dict(orient="records"),
        "pr_curve": {
            "model": pr_curve_points(y_test, test_scores),
            **{n: pr_curve_points(y_test, s) for n, s in baseline_scores.items()},
        },
        "best_iteration": model.best_iteration_,
        "refit_iterations": model.refit_iterations_,
        "recency_half_life_days": model.half_life_,
        "valid_auc_by_half_life": model.valid_auc_by_half_life_,
        "blend": model.blend_,
        "duration_half_life_days": model.duration_half_life_,
        "valid_auc_by_blend": model.valid_auc_by_blend_,
        "global_importance": global_importance(model, data.X["test"])
        .head(15)
        .to_dict(orient="records"),
        "example_explanations": _riskiest_explained(model, data, test_scores),
        "rows": {s: data.rows[s].height for s in data.rows},
    }
    gate = breach_gate(y_test, test_scores, baseline_scores, settings.seed)
    return BreachTraining(
        model=model,
        data=data,
        thresholds={rule: choice.as_dict() for rule, choice in tuned.items()},
        metrics=metrics,
        gate=gate,
        drift_reference=breach_drift_reference(model, data, drift_min_incidents),
    )
