"""Time to resolve: CatBoost on log hours with a split-conformal interval."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from catboost import CatBoostRegressor, Pool

from incident_intel.ml.recency import Sample, fit_recency_selected
from incident_intel.ml.tabular import Columns, prediction_pool

DEFAULT_HALF_LIVES = (None, 7.0, 14.0)


def log_hours(hours) -> np.ndarray:
    """The resolution-time label as the models learn it: log1p of the hours."""
    hours = np.asarray(hours, dtype=float)
    if (hours < 0).any() or not np.isfinite(hours).all():
        raise ValueError("resolution times must be finite and non-negative hours")
    return np.log1p(hours)


def conformal_quantile(abs_residuals: np.ndarray, coverage: float) -> float:
    """The finite-sample split-conformal quantile: the ceil((n + 1) * coverage)-th residual."""
    if not 0 < coverage < 1:
        raise ValueError("coverage must be strictly between 0 and 1")
    ordered = np.sort(np.asarray(abs_residuals, dtype=float))
    rank = math.ceil((len(ordered) + 1) * coverage)
    return float(ordered[min(rank, len(ordered)) - 1])


class ResolutionTimeRegressor:
    """CatBoost regression on log1p(hours), recency-weighted and refitted on the whole past.

    `ml.recency` says how: early stopping on the valid MAE of log hours, the recency half-life
    chosen on valid among `half_lives` (days; None for equal weights), and the final model
    refitted on train + valid.

    Learning in log space keeps the few incidents that stay open for weeks from dominating the
    loss; `predict` maps back with expm1, which gives roughly the conditional median in hours.
    `predict_interval` is split-conformal: absolute log residuals on the valid set give a
    symmetric band in log space, which is asymmetric (wider above) in hours. The residuals are
    those of the train-only model, out of sample on valid; early stopping and the half-life are
    chosen on the same set, two numbers that barely dent the coverage guarantee.
    """

    def __init__(
        self,
        cat_features: Sequence[str] = (),
        embedding_columns: Sequence[str] = (),
        iterations: int = 1000,
        learning_rate: float = 0.05,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        early_stopping_rounds: int = 100,
        half_lives: Sequence[float | None] = DEFAULT_HALF_LIVES,
        seed: int = 42,
        thread_count: int = -1,
    ) -> None:
        self.cat_features = list(cat_features)
        self.embedding_columns = list(embedding_columns)
        self.iterations = iterations
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.early_stopping_rounds = early_stopping_rounds
        self.half_lives = list(half_lives)
        self.seed = seed
        self.thread_count = thread_count

    def pool(self, X: Columns) -> Pool:
        """A CatBoost Pool of `X` in the training column order, to predict and explain."""
        return prediction_pool(X, self.cat_features, self.feature_names_)

    def fit(
        self,
        X_train: pd.DataFrame,
        hours_train,
        X_valid: pd.DataFrame,
        hours_valid,
        opened_train=None,
        opened_valid=None,
    ) -> ResolutionTimeRegressor:
        """`opened_*` are opening times in days (`ml.recency.opened_days`); without them every
        incident counts as equally recent."""
        self.feature_names_ = list(X_train.columns)
        log_valid = log_hours(hours_valid)
        fit = fit_recency_selected(
            CatBoostRegressor,
            self,
            "RMSE",
            "MAE",
            Sample.of(X_train, log_hours(hours_train), opened_train),
            Sample.of(X_valid, log_valid, opened_valid),
        )
        self.model_ = fit.model
        self.half_life_ = fit.half_life
        self.best_iteration_ = fit.best_iteration
        self.refit_iterations_ = fit.refit_iterations
        self.valid_mae_by_half_life_ = fit.valid_scores
        out_of_sample = np.asarray(fit.selection_model.predict(self.pool(X_valid)), dtype=float)
        self.abs_log_residuals_ = np.sort(np.abs(log_valid - out_of_sample))
        return self

    def predict_log(self, X: Columns) -> np.ndarray:
        """Predicted log1p(hours)."""
        return np.asarray(self.model_.predict(self.pool(X)), dtype=float)

    def shap_values(self, X: Columns) -> tuple[np.ndarray, np.ndarray]:
        """CatBoost's SHAP values in log1p(hours), (n, columns); and the base value per row."""
        values = self.model_.get_feature_importance(self.pool(X), type="ShapValues")
        return values[:, :-1], values[:, -1]

    def predict(self, X: Columns) -> np.ndarray:
        """Predicted hours to resolve."""
        return self.hours(self.predict_log(X))

    @staticmethod
    def hours(centre_log: np.ndarray) -> np.ndarray:
        """Hours from predictions in log1p hours."""
        return np.clip(np.expm1(centre_log), 0.0, None)

    def predict_interval(self, X: Columns, coverage: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        """(lo, hi) hours expected to hold the true time for `coverage` of incidents."""
        return self.interval_around(self.predict_log(X), coverage)

    def interval_around(
        self, centre_log: np.ndarray, coverage: float = 0.8
    ) -> tuple[np.ndarray, np.ndarray]:
        """The interval of `predict_interval` around predictions already made, in log1p hours."""
        q = conformal_quantile(self.abs_log_residuals_, coverage)
        return np.clip(np.expm1(centre_log - q), 0.0, None), np.expm1(centre_log + q)
