"""Fit for drift: pick recency weighting on the newest slice of the past, then refit on it all.

Incident data drift fast: on the real ServiceNow log the weekly breach rate moves from 96 % to
22 % within six weeks. Three choices follow, shared by the breach and resolution-time models:
- Early stopping watches a ranking or error metric (`eval_metric`), not the training loss. With
  a drifted base rate, the valid log-loss is lowest at the first iteration (it measures the
  offset, not the ranking), and early stopping on it kept 0 or 1 tree.
- Training rows are weighted by recency, halving every `half_life` days back from the newest.
  The half-life is chosen among `half_lives` (None: equal weights) by the valid score of models
  fitted on train only; the valid set is the newest part of the past, never the test period.
- The final model is refitted on train and valid together with the chosen half-life and the
  early-stopped number of trees, scaled up to the larger sample. The valid incidents are the
  ones closest to what is predicted next, and a user's model would learn from them too.
The train-only model of the chosen half-life is kept: its valid predictions are out of sample,
so calibration and conformal intervals are fitted on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from catboost import Pool

from incident_intel.ml.tabular import prepare_frame

# Early stopping in the first few trees on a drifted valid set says little about how many trees
# the whole past supports: the refit never gets fewer than this.
MIN_REFIT_ITERATIONS = 100
HIGHER_IS_BETTER = {"AUC": True, "PRAUC": True, "RMSE": False, "MAE": False, "Logloss": False}


def recency_weights(opened_days: np.ndarray, half_life: float | None) -> np.ndarray | None:
    """Weights halving every `half_life` days back from the newest row; None for equal weights."""
    if half_life is None:
        return None
    opened_days = np.asarray(opened_days, dtype=float)
    return 0.5 ** ((opened_days.max() - opened_days) / half_life)


def opened_days(opened_at) -> np.ndarray:
    """Opening times (datetimes) as fractional days since the epoch, for `recency_weights`."""
    stamps = pd.to_datetime(pd.Series(np.asarray(opened_at)), utc=True)
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy() / 86_400.0


@dataclass(frozen=True)
class Sample:
    """Model inputs, the label as the model learns it, and when each incident was opened."""

    X: pd.DataFrame
    y: np.ndarray
    opened_days: np.ndarray

    @classmethod
    def of(cls, X: pd.DataFrame, y: np.ndarray, opened_days=None) -> Sample:
        """Without opening times, every incident counts as equally recent."""
        days = np.zeros(len(X)) if opened_days is None else np.asarray(opened_days, dtype=float)
        return cls(X=X, y=y, opened_days=days)

    def followed_by(self, later: Sample) -> Sample:
        return Sample(
            X=pd.concat([self.X, later.X]),
            y=np.concatenate([self.y, later.y]),
            opened_days=np.concatenate([self.opened_days, later.opened_days]),
        )

    def __len__(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class RecencyFit:
    selection_model: object
    model: object
    half_life: float | None
    best_iteration: int
    refit_iterations: int
    valid_scores: dict[str, float]


def _pool(sample: Sample, cat_features: Sequence[str], columns, half_life) -> Pool:
    return Pool(
        prepare_frame(sample.X, cat_features, columns),
        label=sample.y,
        cat_features=list(cat_features),
        weight=recency_weights(sample.opened_days, half_life),
    )


def fit_recency_selected(
    model_class, estimator, loss_function: str, eval_metric: str, train: Sample, valid: Sample
) -> RecencyFit:
    """Choose the half-life on `valid`, then refit on train + valid (see the module docstring).

    `estimator` supplies the settings: iterations, learning_rate, depth, l2_leaf_reg, seed,
    thread_count, cat_features, half_lives and early_stopping_rounds.
    """
    params = {
        "iterations": estimator.iterations,
        "learning_rate": estimator.learning_rate,
        "depth": estimator.depth,
        "l2_leaf_reg": estimator.l2_leaf_reg,
        "loss_function": loss_function,
        "random_seed": estimator.seed,
        "thread_count": estimator.thread_count,
        "allow_writing_files": False,
        "verbose": False,
    }
    cat_features = estimator.cat_features
    half_lives = estimator.half_lives
    if not half_lives:
        raise ValueError("give at least one half-life (None for equal weights)")
    sign = 1.0 if HIGHER_IS_BETTER[eval_metric] else -1.0
    columns = list(train.X.columns)
    valid_pool = _pool(valid, cat_features, columns, None)
    candidates = {}
    for half_life in half_lives:
        model = model_class(**params, eval_metric=eval_metric)
        model.fit(
            _pool(train, cat_features, columns, half_life),
            eval_set=valid_pool,
            early_stopping_rounds=estimator.early_stopping_rounds,
            use_best_model=True,
        )
        candidates[half_life] = (model, float(model.get_best_score()["validation"][eval_metric]))
    half_life = max(candidates, key=lambda h: sign * candidates[h][1])
    selection_model = candidates[half_life][0]
    best_iteration = int(selection_model.get_best_iteration())
    everything = train.followed_by(valid)
    refit_iterations = max(
        MIN_REFIT_ITERATIONS, round((best_iteration + 1) * len(everything) / len(train))
    )
    model = model_class(**{**params, "iterations": refit_iterations})
    model.fit(_pool(everything, cat_features, columns, half_life))
    return RecencyFit(
        selection_model=selection_model,
        model=model,
        half_life=half_life,
        best_iteration=best_iteration,
        refit_iterations=refit_iterations,
        valid_scores={str(h): round(score, 4) for h, (_, score) in candidates.items()},
    )
