"""SLA breach risk: a calibrated CatBoost classifier over features known at prediction time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, Pool
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from incident_intel.ml.tabular import fit_early_stopped, prepare_frame


class SlaBreachClassifier:
    """CatBoost with native categoricals, early-stopped and then calibrated on the valid set.

    Calibration defaults to Platt scaling of CatBoost's raw log-odds rather than isotonic
    regression because:
    - it is strictly monotone, so ROC/PR AUC are unchanged and scores keep no ties, which the
      "top 1 % alerts" threshold needs (isotonic output is a step function with large ties);
    - two parameters are stable on the few hundred positives a time-split valid set holds,
      where isotonic regression overfits;
    - CatBoost's log-loss output is already close to calibrated, so a monotone two-parameter
      correction of its scale and offset is the size of fix that is needed.
    Early stopping and calibration share the valid set; the single number early stopping picks
    barely biases the calibration.

    `embedding_columns` are numeric columns holding text-embedding components; they are used as
    ordinary numeric features and grouped into one factor by `explanations`.
    """

    def __init__(
        self,
        cat_features: Sequence[str] = (),
        embedding_columns: Sequence[str] = (),
        iterations: int = 1000,
        learning_rate: float = 0.05,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        early_stopping_rounds: int = 50,
        calibration: Literal["platt", "isotonic"] = "platt",
        seed: int = 42,
        thread_count: int = -1,
    ) -> None:
        if calibration not in ("platt", "isotonic"):
            raise ValueError(f"calibration must be 'platt' or 'isotonic', not {calibration!r}")
        self.cat_features = list(cat_features)
        self.embedding_columns = list(embedding_columns)
        self.iterations = iterations
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.early_stopping_rounds = early_stopping_rounds
        self.calibration = calibration
        self.seed = seed
        self.thread_count = thread_count

    def pool(self, X: pd.DataFrame, y=None) -> Pool:
        """A CatBoost Pool of `X` in the training column order (also used for SHAP values)."""
        columns = getattr(self, "feature_names_", None)
        frame = prepare_frame(X, self.cat_features, columns)
        label = None if y is None else np.asarray(y, dtype=int)
        return Pool(frame, label=label, cat_features=self.cat_features)

    def fit(
        self, X_train: pd.DataFrame, y_train, X_valid: pd.DataFrame, y_valid
    ) -> SlaBreachClassifier:
        y_valid = np.asarray(y_valid, dtype=int)
        if len(np.unique(y_valid)) < 2:
            raise ValueError("the valid set needs both classes to early-stop and calibrate")
        self.feature_names_ = list(X_train.columns)
        self.model_ = fit_early_stopped(
            CatBoostClassifier,
            self,
            "Logloss",
            self.pool(X_train, y_train),
            self.pool(X_valid, y_valid),
        )
        self.best_iteration_ = int(self.model_.get_best_iteration())
        raw = self.raw_score(X_valid)
        if self.calibration == "platt":
            self.calibrator_ = LogisticRegression(C=np.inf).fit(raw.reshape(-1, 1), y_valid)
        else:
            self.calibrator_ = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
            self.calibrator_.fit(raw, y_valid)
        return self

    def raw_score(self, X: pd.DataFrame) -> np.ndarray:
        """CatBoost's uncalibrated log-odds of a breach."""
        return np.asarray(self.model_.predict(self.pool(X), prediction_type="RawFormulaVal"))

    def proba_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated breach probability for raw log-odds (used to express SHAP deltas)."""
        raw = np.asarray(raw, dtype=float).ravel()
        if self.calibration == "platt":
            return self.calibrator_.predict_proba(raw.reshape(-1, 1))[:, 1]
        return self.calibrator_.predict(raw)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2): [no breach, breach]."""
        p = self.proba_from_raw(self.raw_score(X))
        return np.column_stack([1.0 - p, p])
