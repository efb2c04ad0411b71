"""SLA breach risk: CatBoost, a one-hot logistic regression and a duration model, blended and
calibrated."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Literal

import numpy as np
import pandas as pd
from catboost import CatBoostClassifier, CatBoostRegressor, Pool
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from incident_intel.ml.breach.linear import OneHotLogisticRegression
from incident_intel.ml.recency import Sample, fit_recency_selected, recency_weights
from incident_intel.ml.resolution_time.estimator import log_hours
from incident_intel.ml.tabular import Columns, prediction_pool, row_count

DEFAULT_HALF_LIVES = (None, 7.0, 14.0)
MEMBERS = ("catboost", "linear", "duration")
# Every blend of the three members in quarters: 15 candidates, chosen among on valid.
DEFAULT_BLENDS = tuple(
    dict(zip(MEMBERS, weights, strict=True))
    for weights in product((0.0, 0.25, 0.5, 0.75, 1.0), repeat=3)
    if sum(weights) == 1.0
)
# Fewer valid incidents with a known duration than this, and the duration model is left out.
MIN_DURATIONS = 50


class SlaBreachClassifier:
    """CatBoost with native categoricals, recency-weighted, refitted on the whole past, calibrated.

    `ml.recency` says how: early stopping on valid ROC AUC, the recency half-life chosen on
    valid among `half_lives` (days; None for equal weights), and the final model refitted on
    train + valid. Calibration is fitted on the valid scores of the train-only model, which are
    out of sample, and applied to the refitted model's scores.

    The risk blends the log-odds of three members, each standardised on valid, with weights
    chosen among `blends` by valid ROC AUC (more stable than PR AUC on a few hundred valid
    incidents):
    - CatBoost, as above.
    - A one-hot logistic regression. On the real ServiceNow log it ranks the top of the list
      better than CatBoost: a high-cardinality field (a location, a configuration item) often
      carries the risk, and a one-hot weight per value learns it from fewer incidents than
      target statistics do.
    - A duration model: CatBoost regression of the log of the hours to resolution, fitted (by
      `ml.recency`, on valid MAE) on the incidents whose resolution is known. A breach is a
      resolution later than the SLA allows, and the hours say by how much, where the label says
      only whether. Absolute error, as for the resolution-time model: the hours' tail is long,
      and squared error let a few incidents open for months steer it (in experiments on the
      real log's backtest, it gave a lower ROC AUC at all three cutoffs). It is left out when
      `fit` gets no durations, or valid holds too few.
    Scoring and explanations compute only the members whose weight is above zero.

    Calibration defaults to Platt scaling of the blended score rather than isotonic regression
    because:
    - it is strictly monotone, so ROC/PR AUC are unchanged and scores keep no ties, which the
      "top 1 % alerts" threshold needs (isotonic output is a step function with large ties);
    - two parameters are stable on the few hundred positives a time-split valid set holds,
      where isotonic regression overfits;
    - the blend of standardised log-odds is close to a log-odds scale already, so a monotone
      two-parameter correction of its scale and offset is the size of fix that is needed.
    Early stopping, the half-life, the blend and calibration share the valid set; the few
    numbers chosen on it barely bias the calibration.

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
        blends: Sequence[dict[str, float]] = DEFAULT_BLENDS,
        linear_C: float = 1.0,
        calibration: Literal["platt", "isotonic"] = "platt",
        seed: int = 42,
        thread_count: int = -1,
    ) -> None:
        if calibration not in ("platt", "isotonic"):
            raise ValueError(f"calibration must be 'platt' or 'isotonic', not {calibration!r}")
        wrong = [b for b in blends if set(b) != set(MEMBERS) or abs(sum(b.values()) - 1) > 1e-9]
        if not blends or wrong:
            raise ValueError(f"each blend gives weights summing to 1 to {MEMBERS}; got {wrong}")
        self.cat_features = list(cat_features)
        self.embedding_columns = list(embedding_columns)
        self.iterations = iterations
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.early_stopping_rounds = early_stopping_rounds
        self.half_lives = list(half_lives)
        self.blends = [dict(b) for b in blends]
        self.linear_C = linear_C
        self.calibration = calibration
        self.seed = seed
        self.thread_count = thread_count

    def __setstate__(self, state: dict) -> None:
        # A model saved before the duration member blended CatBoost and the linear model only:
        # it keeps scoring, as that blend, until the next training replaces it.
        if "catboost_share_" in state:
            share = state.pop("catboost_share_")
            state.pop("catboost_shares", None)
            state["blend_"] = {"catboost": share, "linear": 1.0 - share, "duration": 0.0}
            state["blends"] = [state["blend_"]]
            state["valid_auc_by_blend_"] = state.pop("valid_auc_by_catboost_share_", {})
            state["duration_"] = None
        self.__dict__.update(state)

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
        hours_train=None,
        hours_valid=None,
    ) -> SlaBreachClassifier:
        """`opened_*` are opening times in days (`ml.recency.opened_days`); without them every
        incident counts as equally recent. `hours_*` are hours to resolution, NaN where not
        known; without them the duration model is left out."""
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
        valid_pool = self.pool(X_valid)
        valid_scores = {
            "catboost": self._catboost(fit.selection_model, valid_pool),
            "linear": self._linear(train).decision_function(X_valid),
        }
        self.linear_ = self._linear(train.followed_by(valid))
        self.duration_ = self.duration_half_life_ = None
        duration = self._fit_duration(train, valid, hours_train, hours_valid)
        if duration is not None:
            self.duration_, self.duration_half_life_ = duration.model, duration.half_life
            valid_scores["duration"] = self._duration(duration.selection_model, valid_pool)
        self.scales_ = {
            member: (float(scores.mean()), float(scores.std() or 1.0))
            for member, scores in valid_scores.items()
        }
        usable = [b for b in self.blends if all(b[m] == 0 or m in valid_scores for m in MEMBERS)]
        auc_by_blend = [roc_auc_score(y_valid, self._blend(valid_scores, b)) for b in usable]
        self.blend_ = usable[int(np.argmax(auc_by_blend))]
        self.valid_auc_by_blend_ = {
            "/".join(f"{b[m]:g}" for m in MEMBERS): round(float(auc), 4)
            for b, auc in zip(usable, auc_by_blend, strict=True)
        }
        raw = self._blend(valid_scores, self.blend_)
        if self.calibration == "platt":
            self.calibrator_ = LogisticRegression(C=np.inf).fit(raw.reshape(-1, 1), y_valid)
        else:
            self.calibrator_ = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
            self.calibrator_.fit(raw, y_valid)
        # Out of sample, unlike the refitted model's scores on valid: thresholds are tuned on it.
        self.valid_proba_ = self.proba_from_raw(raw)
        return self

    def _fit_duration(self, train: Sample, valid: Sample, hours_train, hours_valid):
        """The duration model's recency fit on the incidents with a known duration, or None."""
        if hours_train is None or hours_valid is None:
            return None
        samples = []
        for sample, hours in ((train, hours_train), (valid, hours_valid)):
            hours = np.asarray(hours, dtype=float)
            # The incidents the resolution-time model learns from: resolved, not before opening.
            known = np.isfinite(hours) & (hours >= 0)
            samples.append(
                Sample(sample.X[known], log_hours(hours[known]), sample.opened_days[known])
            )
        if min(len(s) for s in samples) < MIN_DURATIONS:
            return None
        return fit_recency_selected(CatBoostRegressor, self, "MAE", "MAE", *samples)

    def _linear(self, sample: Sample) -> OneHotLogisticRegression:
        model = OneHotLogisticRegression(self.cat_features, C=self.linear_C, seed=self.seed)
        return model.fit(
            sample.X, sample.y, sample_weight=recency_weights(sample.opened_days, self.half_life_)
        )

    @staticmethod
    def _catboost(model, pool: Pool) -> np.ndarray:
        return np.asarray(model.predict(pool, prediction_type="RawFormulaVal"))

    @staticmethod
    def _duration(model, pool: Pool) -> np.ndarray:
        return np.asarray(model.predict(pool), dtype=float)

    def _blend(self, scores: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
        return sum(
            weights[member] * (values - self.scales_[member][0]) / self.scales_[member][1]
            for member, values in scores.items()
        )

    def _weighted(self) -> list[str]:
        return [member for member in MEMBERS if self.blend_[member] > 0]

    def _trees_pool(self, X: Columns, weighted: list[str]) -> Pool | None:
        """One pool for both CatBoost members, built only when either is weighted."""
        return self.pool(X) if {"catboost", "duration"} & set(weighted) else None

    def _member_scores(self, X: Columns) -> dict[str, np.ndarray]:
        """Each weighted member's score; the two CatBoost members read one pool."""
        weighted = self._weighted()
        pool = self._trees_pool(X, weighted)
        scores = {}
        if "catboost" in weighted:
            scores["catboost"] = self._catboost(self.model_, pool)
        if "linear" in weighted:
            scores["linear"] = self.linear_.decision_function(X)
        if "duration" in weighted:
            scores["duration"] = self._duration(self.duration_, pool)
        return scores

    def shap_values(self, X: Columns) -> tuple[np.ndarray, np.ndarray]:
        """Per input column, its share of the blended score, (n, columns); and the base value.

        Every member is additive per column (CatBoost's SHAP values, the logistic regression's
        weight times deviation), so their blend is too.
        """
        weighted = self._weighted()
        pool = self._trees_pool(X, weighted)
        members = {}
        if "catboost" in weighted:
            members["catboost"] = self.model_.get_feature_importance(pool, type="ShapValues")
        if "linear" in weighted:
            linear_phi, linear_expected = self.linear_.shap_values(X)
            members["linear"] = np.column_stack(
                [linear_phi, np.full(row_count(X), linear_expected)]
            )
        if "duration" in weighted:
            members["duration"] = self.duration_.get_feature_importance(pool, type="ShapValues")
        phi = np.zeros((row_count(X), len(self.feature_names_)))
        expected = np.zeros(row_count(X))
        for member, values in members.items():
            mean, scale = self.scales_[member]
            weight = self.blend_[member]
            phi += weight * values[:, :-1] / scale
            expected += weight * (values[:, -1] - mean) / scale
        return phi, expected

    def raw_score(self, X: Columns) -> np.ndarray:
        """The uncalibrated blended score; higher is riskier."""
        return self._blend(self._member_scores(X), self.blend_)

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
