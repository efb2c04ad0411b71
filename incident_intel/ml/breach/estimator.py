"""SLA breach risk: CatBoost blended with a one-hot logistic regression, calibrated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, Pool
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from incident_intel.ml.breach.linear import OneHotLogisticRegression
from incident_intel.ml.recency import Sample, fit_recency_selected, recency_weights
from incident_intel.ml.tabular import Columns, prediction_pool, row_count

DEFAULT_HALF_LIVES = (None, 7.0, 14.0)
DEFAULT_CATBOOST_SHARES = (1.0, 0.75, 0.5, 0.25)


class SlaBreachClassifier:
    """CatBoost with native categoricals, recency-weighted, refitted on the whole past, calibrated.

    `ml.recency` says how: early stopping on valid ROC AUC, the recency half-life chosen on
    valid among `half_lives` (days; None for equal weights), and the final model refitted on
    train + valid. Calibration is fitted on the valid scores of the train-only model, which are
    out of sample, and applied to the refitted model's scores.

    The risk blends CatBoost's log-odds with those of a one-hot logistic regression, each
    standardised on valid; CatBoost's share is chosen among `catboost_shares` by valid ROC AUC
    (more stable than PR AUC on a few hundred valid incidents). On the real ServiceNow log the
    logistic regression ranks the top of the list better and CatBoost the rest: for incidents,
    a high-cardinality field (a location, a configuration item) often carries the risk, and a
    one-hot weight per value learns it from fewer incidents than target statistics do.

    Calibration defaults to Platt scaling of CatBoost's raw log-odds rather than isotonic
    regression because:
    - it is strictly monotone, so ROC/PR AUC are unchanged and scores keep no ties, which the
      "top 1 % alerts" threshold needs (isotonic output is a step function with large ties);
    - two parameters are stable on the few hundred positives a time-split valid set holds,
      where isotonic regression overfits;
    - CatBoost's log-loss output is already close to calibrated, so a monotone two-parameter
      correction of its scale and offset is the size of fix that is needed.
    Early stopping, the half-life and calibration share the valid set; the two numbers chosen on
    it barely bias the calibration.

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
        early_stopping_rounds: int = 100,
        half_lives: Sequence[float | None] = DEFAULT_HALF_LIVES,
        catboost_shares: Sequence[float] = DEFAULT_CATBOOST_SHARES,
        linear_C: float = 1.0,
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
        self.half_lives = list(half_lives)
        self.catboost_shares = list(catboost_shares)
        self.linear_C = linear_C
        self.calibration = calibration
        self.seed = seed
        self.thread_count = thread_count

    def pool(self, X: Columns) -> Pool:
        """A CatBoost Pool of `X` in the training column order, to predict and explain."""
        return prediction_pool(X, self.cat_features, self.feature_names_)

    def fit(
        self,
        X_train: pd.DataFrame,
        y_train,
        X_valid: pd.DataFrame,
        y_valid,
        opened_train=None,
        opened_valid=None,
    ) -> SlaBreachClassifier:
        """`opened_*` are opening times in days (`ml.recency.opened_days`); without them every
        incident counts as equally recent."""
        y_valid = np.asarray(y_valid, dtype=int)
        if len(np.unique(y_valid)) < 2:
            raise ValueError("the valid set needs both classes to early-stop and calibrate")
        self.feature_names_ = list(X_train.columns)
        train = Sample.of(X_train, np.asarray(y_train, dtype=int), opened_train)
        valid = Sample.of(X_valid, y_valid, opened_valid)
        fit = fit_recency_selected(CatBoostClassifier, self, "Logloss", "AUC", train, valid)
        self.model_ = fit.model
        self.half_life_ = fit.half_life
        self.best_iteration_ = fit.best_iteration
        self.refit_iterations_ = fit.refit_iterations
        self.valid_auc_by_half_life_ = fit.valid_scores
        catboost_valid = np.asarray(
            fit.selection_model.predict(self.pool(X_valid), prediction_type="RawFormulaVal")
        )
        past = train.followed_by(valid)
        linear_valid = self._linear(train).decision_function(X_valid)
        self.linear_ = self._linear(past)
        self.scales_ = {
            "catboost": (float(catboost_valid.mean()), float(catboost_valid.std() or 1.0)),
            "linear": (float(linear_valid.mean()), float(linear_valid.std() or 1.0)),
        }
        auc_by_share = {
            share: roc_auc_score(y_valid, self._blend(catboost_valid, linear_valid, share))
            for share in self.catboost_shares
        }
        self.catboost_share_ = max(auc_by_share, key=auc_by_share.get)
        self.valid_auc_by_catboost_share_ = {str(k): round(v, 4) for k, v in auc_by_share.items()}
        raw = self._blend(catboost_valid, linear_valid, self.catboost_share_)
        if self.calibration == "platt":
            self.calibrator_ = LogisticRegression(C=np.inf).fit(raw.reshape(-1, 1), y_valid)
        else:
            self.calibrator_ = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
            self.calibrator_.fit(raw, y_valid)
        # Out of sample, unlike the refitted model's scores on valid: thresholds are tuned on it.
        self.valid_proba_ = self.proba_from_raw(raw)
        return self

    def _linear(self, sample: Sample) -> OneHotLogisticRegression:
        model = OneHotLogisticRegression(self.cat_features, C=self.linear_C, seed=self.seed)
        return model.fit(
            sample.X, sample.y, sample_weight=recency_weights(sample.opened_days, self.half_life_)
        )

    def _blend(self, catboost_raw, linear_raw, share: float) -> np.ndarray:
        (cm, cs), (lm, ls) = self.scales_["catboost"], self.scales_["linear"]
        return share * (catboost_raw - cm) / cs + (1.0 - share) * (linear_raw - lm) / ls

    def shap_values(self, X: Columns) -> tuple[np.ndarray, np.ndarray]:
        """Per input column, its share of the blended score, (n, columns); and the base value.

        Both parts are additive per column (CatBoost's SHAP values, the logistic regression's
        weight times deviation), so their blend is too.
        """
        values = self.model_.get_feature_importance(self.pool(X), type="ShapValues")
        linear_phi, linear_expected = self.linear_.shap_values(X)
        cs, ls = self.scales_["catboost"][1], self.scales_["linear"][1]
        share = self.catboost_share_
        phi = share * values[:, :-1] / cs + (1.0 - share) * linear_phi / ls
        expected = self._blend(values[:, -1], np.full(row_count(X), linear_expected), share)
        return phi, expected

    def raw_score(self, X: Columns) -> np.ndarray:
        """The uncalibrated blended score; higher is riskier."""
        catboost = np.asarray(self.model_.predict(self.pool(X), prediction_type="RawFormulaVal"))
        return self._blend(catboost, self.linear_.decision_function(X), self.catboost_share_)

    def proba_from_raw(self, raw: np.ndarray) -> np.ndarray:
        """Calibrated breach probability for blended scores (used to express SHAP deltas)."""
        raw = np.asarray(raw, dtype=float).ravel()
        if self.calibration == "platt":
            # The calibrator's own predict_proba, without its input checks: a quarter of a
            # millisecond per call, and an explained incident calls it twice.
            slope, intercept = self.calibrator_.coef_[0, 0], self.calibrator_.intercept_[0]
            return expit(raw * slope + intercept)
        return self.calibrator_.predict(raw)

    def predict_proba(self, X: Columns) -> np.ndarray:
        """Calibrated probabilities, shape (n, 2): [no breach, breach]."""
        p = self.proba_from_raw(self.raw_score(X))
        return np.column_stack([1.0 - p, p])
