"""The simple baselines every model is reported beside (DESIGN §4)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from incident_intel.ml.tabular import prepare_frame
from incident_intel.ml.triage import TriageClassifier


def _priority_keys(X: pd.DataFrame, column: str) -> pd.Series:
    return prepare_frame(X[[column]], [column])[column]


class PriorityRateBaseline:
    """Breach probability = the training breach rate of the incident's priority.

    Priorities unseen in training get the global training rate.
    """

    def __init__(self, priority_column: str = "priority") -> None:
        self.priority_column = priority_column

    def fit(self, X: pd.DataFrame, y) -> PriorityRateBaseline:
        y = pd.Series(np.asarray(y, dtype=float), index=X.index)
        self.global_rate_ = float(y.mean())
        self.rates_ = y.groupby(_priority_keys(X, self.priority_column)).mean().to_dict()
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        keys = _priority_keys(X, self.priority_column)
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
            for key, group in hours.groupby(_priority_keys(X, self.priority_column))
        }
        return self

    def _per_row(self, X: pd.DataFrame, statistic) -> np.ndarray:
        keys = _priority_keys(X, self.priority_column)
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


class TfidfLinearBaseline(TriageClassifier):
    """The triage baseline: TF-IDF word unigrams and bigrams into a logistic regression.

    No character n-grams, embeddings or categoricals; it shares the folding, calibration and
    decision rules of TriageClassifier so that both are judged alike.
    """

    def __init__(
        self,
        min_class_count: int = 5,
        target_precision: float = 0.9,
        review_precision: float = 0.6,
        C: float = 10.0,
        seed: int = 42,
    ) -> None:
        super().__init__(
            min_class_count=min_class_count,
            target_precision=target_precision,
            review_precision=review_precision,
            char_ngrams=None,
            use_embeddings=False,
            C=C,
            seed=seed,
        )
