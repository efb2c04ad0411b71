"""The breach baselines: the priority's training breach rate, and a logistic regression."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from incident_intel.ml.tabular import prepare_frame, priority_keys


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
        self.pipeline_.fit(self._frame(X), np.asarray(y, dtype=int))
        return self

    def _frame(self, X: pd.DataFrame) -> pd.DataFrame:
        return prepare_frame(X, self.cat_features, self.feature_names_)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline_.predict_proba(self._frame(X))
