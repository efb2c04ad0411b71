"""The resolution-time baselines: the median hours of the priority, and a default CatBoost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from catboost import CatBoostRegressor, Pool

from incident_intel.ml.tabular import catboost_pool, default_catboost, priority_keys


class MedianByPriorityBaseline:
    """Resolution hours = the training median of the incident's priority.

    Its interval is the central `coverage` range of the priority's training times. Priorities
    unseen in training use all training times.
    """

    def __init__(self, priority_column: str = "priority") -> None:
        self.priority_column = priority_column

    def fit(self, X: pd.DataFrame, hours) -> MedianByPriorityBaseline:
        hours = pd.Series(np.asarray(hours, dtype=float), index=X.index)
        self.all_hours_ = np.sort(hours.to_numpy())
        self.hours_by_priority_ = {
            key: np.sort(group.to_numpy())
            for key, group in hours.groupby(priority_keys(X, self.priority_column))
        }
        return self

    def _per_row(self, X: pd.DataFrame, statistic) -> np.ndarray:
        keys = priority_keys(X, self.priority_column)
        cache = {
            key: statistic(self.hours_by_priority_.get(key, self.all_hours_))
            for key in keys.unique()
        }
        return np.array([cache[key] for key in keys], dtype=float)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self._per_row(X, np.median)

    def predict_interval(
        self, X: pd.DataFrame, coverage: float = 0.8
    ) -> tuple[np.ndarray, np.ndarray]:
        tail = (1.0 - coverage) / 2
        return (
            self._per_row(X, lambda h: np.quantile(h, tail)),
            self._per_row(X, lambda h: np.quantile(h, 1.0 - tail)),
        )


class DefaultCatBoostBaseline:
    """What a user would write in twenty lines: CatBoostRegressor with the library's defaults.

    Fitted on hours as they are (RMSE, no log transform), with native categoricals, 1000
    iterations at CatBoost's automatic learning rate and no early stopping; only the seed is
    set. Negative predictions are clipped to zero: a free fix that only makes the baseline
    harder to beat.
    """

    def __init__(self, cat_features: Sequence[str] = (), seed: int = 42) -> None:
        self.cat_features = list(cat_features)
        self.seed = seed

    def _pool(self, X: pd.DataFrame, hours=None) -> Pool:
        return catboost_pool(X, self.cat_features, getattr(self, "feature_names_", None), hours)

    def fit(self, X: pd.DataFrame, hours) -> DefaultCatBoostBaseline:
        self.feature_names_ = list(X.columns)
        self.model_ = default_catboost(CatBoostRegressor, self.seed)
        self.model_.fit(self._pool(X, np.asarray(hours, dtype=float)))
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.clip(self.model_.predict(self._pool(X)), 0.0, None)
