"""Logistic regression on one-hot categoricals and standardised numerics, with SHAP values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from incident_intel.ml.tabular import prepare_frame


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
        self.model_.fit(design, np.asarray(y, dtype=int), sample_weight=sample_weight)
        self.background_ = np.asarray(design.mean(axis=0)).ravel()
        return self

    def _frame(self, X: pd.DataFrame) -> pd.DataFrame:
        return prepare_frame(X, self.cat_features, self.feature_names_)

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of the positive class."""
        return self.model_.decision_function(self.columns_.transform(self._frame(X)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model_.predict_proba(self.columns_.transform(self._frame(X)))

    def shap_values(self, X: pd.DataFrame) -> tuple[np.ndarray, float]:
        """Per input column, its share of the log-odds against the training mean, and that mean.

        For a linear model with features taken as independent, the SHAP value of a column is the
        weight times its deviation from the training mean, summed over its one-hot columns.
        """
        design = self.columns_.transform(self._frame(X))
        weights = self.model_.coef_.ravel()
        owner = self._owners()
        position = {name: j for j, name in enumerate(self.feature_names_)}
        # Column k of the design feeds input column owner[k] with weight w_k.
        spread = sparse.csr_matrix(
            (weights, (np.arange(len(weights)), [position[name] for name in owner])),
            shape=(len(weights), len(self.feature_names_)),
        )
        phi = (sparse.csr_matrix(design) @ spread).toarray() - spread.T @ self.background_
        expected = float(self.model_.intercept_[0] + weights @ self.background_)
        return phi, expected

    def _owners(self) -> np.ndarray:
        """The input column each design column comes from."""
        encoder = self.columns_.named_transformers_["cat"]
        owners = [
            name
            for name, values in zip(self.cat_features, encoder.categories_, strict=True)
            for _ in values
        ]
        return np.asarray([*owners, *self.numeric_], dtype=object)
