"""Logistic regression on one-hot categoricals and standardised numerics, with SHAP values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from incident_intel.ml.tabular import Columns, prepare_frame, prepared_columns, row_count
from incident_intel.ml.threads import one_blas_thread


class OneHotLogisticRegression:
    """One-hot categoricals and standardised numerics into an L2 logistic regression.

    A linear model in one-hot space sees every value of a high-cardinality field (a location, a
    configuration item) as its own weight, shrunk towards zero; that ranks the few riskiest
    values better than target statistics learnt from a handful of incidents.
    """

    def __init__(self, cat_features: Sequence[str] = (), C: float = 1.0, seed: int = 42) -> None:
        self.cat_features = list(cat_features)
        self.C = C
        self.seed = seed

    def fit(self, X: pd.DataFrame, y, sample_weight=None) -> OneHotLogisticRegression:
        self.feature_names_ = list(X.columns)
        self.numeric_ = [c for c in self.feature_names_ if c not in self.cat_features]
        self.columns_ = ColumnTransformer(
            [
                ("cat", OneHotEncoder(handle_unknown="ignore"), self.cat_features),
                (
                    "num",
                    make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                    self.numeric_,
                ),
            ]
        )
        design = self.columns_.fit_transform(self._frame(X))
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.seed)
        with one_blas_thread():
            self.model_.fit(design, np.asarray(y, dtype=int), sample_weight=sample_weight)
        self.background_ = np.asarray(design.mean(axis=0)).ravel()
        self.terms_ = None
        return self

    def _frame(self, X: Columns) -> pd.DataFrame:
        return prepare_frame(X, self.cat_features, self.feature_names_)

    def decision_function(self, X: Columns) -> np.ndarray:
        """Log-odds of the positive class."""
        phi, expected = self.shap_values(X)
        return expected + phi.sum(axis=1)

    def predict_proba(self, X: Columns) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def shap_values(self, X: Columns) -> tuple[np.ndarray, float]:
        """Per input column, its share of the log-odds against the training mean, and that mean.

        For a linear model with features taken as independent, the SHAP value of a column is the
        weight times its deviation from the training mean, summed over its one-hot columns. It
        is computed from per-value weights, not through the fitted column transformer, whose
        per-call overhead is most of a one-incident request's time; the result is the same.
        """
        terms = self._terms()
        frame = prepared_columns(X, self.cat_features, self.feature_names_)
        phi = np.empty((row_count(X), len(self.feature_names_)))
        for j, name in enumerate(self.feature_names_):
            if name in terms.weights:
                lookup = terms.weights[name]
                phi[:, j] = [lookup.get(value, 0.0) for value in frame[name]]
            else:
                median, mean, scale, weight = terms.numeric[name]
                values = frame[name]
                values = np.where(np.isnan(values), median, values)
                phi[:, j] = weight * (values - mean) / scale
        return phi - terms.baseline, terms.expected

    def _terms(self) -> _LinearTerms:
        """The fitted model as per-value weights, built once per fitted model."""
        if getattr(self, "terms_", None) is None:
            self.terms_ = _LinearTerms.of(self)
        return self.terms_

    def _owners(self) -> np.ndarray:
        """The input column each design column comes from."""
        encoder = self.columns_.named_transformers_["cat"]
        owners = [
            name
            for name, values in zip(self.cat_features, encoder.categories_, strict=True)
            for _ in values
        ]
        return np.asarray([*owners, *self.numeric_], dtype=object)


class _LinearTerms:
    """Per categorical value its weight, per numeric column (median, mean, scale, weight), and
    each column's mean contribution over training (the SHAP baseline)."""

    def __init__(self, weights, numeric, baseline, expected) -> None:
        self.weights: dict[str, dict[str, float]] = weights
        self.numeric: dict[str, tuple[float, float, float, float]] = numeric
        self.baseline: np.ndarray = baseline
        self.expected: float = expected

    @classmethod
    def of(cls, model: OneHotLogisticRegression) -> _LinearTerms:
        coef = model.model_.coef_.ravel()
        encoder = model.columns_.named_transformers_["cat"]
        imputer, scaler = (step for _, step in model.columns_.named_transformers_["num"].steps)
        weights, start = {}, 0
        for name, values in zip(model.cat_features, encoder.categories_, strict=True):
            value_weights = coef[start : start + len(values)].tolist()
            weights[name] = dict(zip(values.tolist(), value_weights, strict=True))
            start += len(values)
        numeric = {
            name: (
                float(imputer.statistics_[i]),
                float(scaler.mean_[i]),
                float(scaler.scale_[i]),
                float(coef[start + i]),
            )
            for i, name in enumerate(model.numeric_)
        }
        owners = model._owners()
        contribution = coef * model.background_
        baseline = np.array([contribution[owners == name].sum() for name in model.feature_names_])
        expected = float(model.model_.intercept_[0] + contribution.sum())
        return cls(weights, numeric, baseline, expected)
