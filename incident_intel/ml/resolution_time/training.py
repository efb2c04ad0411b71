"""Time to resolution: CatBoost on log hours with a split-conformal interval, on test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from incident_intel.ml.explanations import global_importance, ttr_factors
from incident_intel.ml.gates import GateResult, ttr_gate
from incident_intel.ml.resolution_time.baselines import (
    DefaultCatBoostBaseline,
    MedianByPriorityBaseline,
)
from incident_intel.ml.resolution_time.estimator import ResolutionTimeRegressor
from incident_intel.ml.resolution_time.metrics import regression_report, residuals_by_group
from incident_intel.ml.tabular_data import TabularData, catboost_params, tabular_data
from incident_intel.settings import ModelSettings

LABEL = "ttr_hours"


@dataclass(frozen=True)
class ResolutionTraining:
    model: ResolutionTimeRegressor
    data: TabularData
    metrics: dict[str, Any]
    gate: GateResult


def _residual_table(y, predicted, groups) -> list[dict[str, Any]]:
    table = residuals_by_group(y, predicted, groups).reset_index()
    return table.sort_values("n", ascending=False).head(15).to_dict(orient="records")


def _sample(y: np.ndarray, predicted: np.ndarray, seed: int, size: int = 2000) -> dict:
    """Up to `size` (truth, prediction) pairs for the residual plot."""
    rng = np.random.default_rng(seed)
    keep = np.sort(rng.choice(len(y), size=min(size, len(y)), replace=False))
    return {"hours": y[keep].tolist(), "predicted": predicted[keep].tolist()}


def train_resolution_time(
    features: pl.DataFrame, embeddings: pl.DataFrame | None, settings: ModelSettings
) -> ResolutionTraining:
    own = settings.resolution_time
    coverage = own.interval_coverage
    data = tabular_data(
        features,
        pl.col(LABEL).is_not_null() & (pl.col(LABEL) >= 0),
        embeddings,
        components=settings.embedding_components,
        seed=settings.seed,
    )

    def hours(split: str) -> np.ndarray:
        return data.rows[split][LABEL].to_numpy()

    model = ResolutionTimeRegressor(**catboost_params(data, own, settings.seed)).fit(
        data.X["train"],
        hours("train"),
        data.X["valid"],
        hours("valid"),
        data.opened_days("train"),
        data.opened_days("valid"),
    )
    # Baselines learn from everything before the test period, as the model's refit does.
    tabular_only = data.tabular_columns
    X_past, X_test = data.past(tabular_only), data.X["test"][tabular_only]
    hours_past = np.concatenate([hours("train"), hours("valid")])
    median = MedianByPriorityBaseline().fit(X_past, hours_past)
    catboost = DefaultCatBoostBaseline(data.cat_features, seed=settings.seed)
    catboost.fit(X_past, hours_past)

    y = hours("test")
    predicted = model.predict(data.X["test"])
    lo, hi = model.predict_interval(data.X["test"], coverage)
    baseline_predicted = {
        "median_by_priority": median.predict(X_test),
        "catboost_default": catboost.predict(X_test),
    }
    metrics = {
        "model": regression_report(y, predicted, lo, hi),
        "baselines": {
            "median_by_priority": regression_report(
                y,
                baseline_predicted["median_by_priority"],
                *median.predict_interval(X_test, coverage),
            ),
            "catboost_default": regression_report(y, baseline_predicted["catboost_default"]),
        },
        "interval_target_coverage": coverage,
        "residuals_by_priority": _residual_table(y, predicted, data.X["test"]["priority"]),
        "residuals_by_group": _residual_table(y, predicted, data.X["test"]["assignment_group"]),
        "rows": {s: data.rows[s].height for s in data.rows},
        "best_iteration": model.best_iteration_,
        "refit_iterations": model.refit_iterations_,
        "recency_half_life_days": model.half_life_,
        "valid_mae_log_by_half_life": model.valid_mae_by_half_life_,
        "residual_sample": _sample(y, predicted, settings.seed),
        "global_importance": global_importance(model, data.X["test"])
        .head(15)
        .to_dict(orient="records"),
        "example_explanations": [
            {"number": number, "predicted_hours": float(hours), "factors": [f.text for f in row]}
            for number, hours, row in zip(
                data.rows["test"]["number"].head(5).to_list(),
                predicted[:5],
                ttr_factors(model, data.X["test"].head(5)),
                strict=True,
            )
        ],
    }
    gate = ttr_gate(y, predicted, baseline_predicted, settings.seed)
    return ResolutionTraining(
        model=model,
        data=data,
        metrics=metrics,
        gate=gate,
    )
