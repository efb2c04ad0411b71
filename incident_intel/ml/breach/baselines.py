"""The breach baselines: the priority's breach rate, a logistic regression, a default CatBoost."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, Pool
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from incident_intel.ml.tabular import (
    catboost_pool,
    default_catboost,
    prepare_frame,
    priority_keys,
)
from incident_intel.ml.threads import one_blas_thread


class PriorityRateBaseline:
    """Breach probability = the training breach rate of the incident's priority.

    Priorities unseen in training get the global training rate.
    """

    def __init__(self, priority_column: str = "priority") -> None:
        self.priority_column = priority_column

    def fit(self, X: pd.DataFrame, y) -> PriorityRateBaseline:
        y = pd.Series(np.asarray(y, dtype=float), index=X.index)
        self.global_rate_ = float(y.mean())
        self.rates_ = y.groupby(priority_keys(X, self.priority_column)).mean().to_dict()
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        keys = priority_keys(X, self.priority_column)
        p = keys.map(self.rates_).fillna(self.global_rate_).to_numpy(dtype=float)
        return np.column_stack([1.0 - p, p])


class LogisticBaseline:
    """One-hot categoricals and standardised numerics into a logistic regression."""

    def __init__(self, cat_features: Sequence[str] = (), C: float = 1.0, seed: int = 42) -> None:
        self.cat_features = list(cat_features)
        self.C = C
        self.seed = seed

    def fit(self, X: pd.DataFrame, y) -> LogisticBaseline:
        self.feature_names_ = list(X.columns)
        numeric = [c for c in self.feature_names_ if c not in self.cat_features]
        columns = ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), self.cat_features),
                ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ]
        )
        self.pipeline_ = Pipeline(
            [
                ("columns", columns),
                ("model", LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)),
            ]
        )
        with one_blas_thread():
            self.pipeline_.fit(self._frame(X), np.asarray(y, dtype=int))
        return self

    def _frame(self, X: pd.DataFrame) -> pd.DataFrame:
        return prepare_frame(X, self.cat_features, self.feature_names_)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline_.predict_proba(self._frame(X))


class DefaultCatBoostBaseline:
    """What a user would write in twenty lines: CatBoostClassifier with the library's defaults.

    Native categoricals, 1000 iterations at CatBoost's automatic learning rate, no early
    stopping and no calibration; only the seed is set.
    """

    def __init__(self, cat_features: Sequence[str] = (), seed: int = 42) -> None:
        self.cat_features = list(cat_features)
        self.seed = seed

    def _pool(self, X: pd.DataFrame, y=None) -> Pool:
        return catboost_pool(X, self.cat_features, getattr(self, "feature_names_", None), y)

    def fit(self, X: pd.DataFrame, y) -> DefaultCatBoostBaseline:
        self.feature_names_ = list(X.columns)
        self.model_ = default_catboost(CatBoostClassifier, self.seed)
        self.model_.fit(self._pool(X, np.asarray(y, dtype=int)))
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(self._pool(X))
