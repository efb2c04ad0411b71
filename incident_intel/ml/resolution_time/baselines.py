"""The resolution-time baseline: the median hours of the incident's priority."""

from __future__ import annotations

import numpy as np
import pandas as pd

from incident_intel.ml.tabular import priority_keys


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
