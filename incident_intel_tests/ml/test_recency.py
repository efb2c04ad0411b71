"""Recency weights, the half-life chosen on valid, and the refit on the whole past."""

import numpy as np
import pandas as pd
import pytest
from catboost import CatBoostClassifier

from incident_intel.ml.recency import (
    MIN_REFIT_ITERATIONS,
    Sample,
    fit_recency_selected,
    opened_days,
    recency_weights,
)


def test_weights_halve_every_half_life_back_from_the_newest() -> None:
    days = np.array([0.0, 7.0, 14.0])
    assert recency_weights(days, 7.0) == pytest.approx([0.25, 0.5, 1.0])
    assert recency_weights(days, None) is None


def test_opened_days_counts_days_since_the_epoch() -> None:
    stamps = pd.to_datetime(["1970-01-02T12:00:00Z", "2016-03-22T00:00:00Z"])
    assert opened_days(stamps) == pytest.approx([1.5, 16_882.0])


class _Settings:
    iterations, learning_rate, depth, l2_leaf_reg = 200, 0.1, 3, 3.0
    seed, thread_count, early_stopping_rounds = 0, 1, 20
    cat_features = ("kind",)
    half_lives = (None, 3.0)


def _drifting(n: int, start: float, seed: int) -> Sample:
    """The label follows `kind` one way in the old days and the other way in the new ones."""
    rng = np.random.default_rng(seed)
    days = np.sort(rng.uniform(start, start + 20, n))
    kind = rng.choice(["a", "b"], n)
    new = days > 12
    y = ((kind == "a") == new).astype(int)
    y = np.where(rng.random(n) < 0.1, 1 - y, y)
    X = pd.DataFrame({"kind": kind, "noise": rng.normal(size=n)})
    return Sample.of(X, y, days)


def test_the_half_life_is_chosen_on_valid_and_the_refit_sees_the_whole_past() -> None:
    train, valid = _drifting(600, 0, 1), _drifting(200, 20, 2)
    fit = fit_recency_selected(CatBoostClassifier, _Settings(), "Logloss", "AUC", train, valid)
    # Valid lies in the new regime only: weighting the newest training days wins there.
    assert fit.half_life == 3.0
    assert set(fit.valid_scores) == {"None", "3.0"}
    assert fit.valid_scores["3.0"] > fit.valid_scores["None"]
    expected = round((fit.best_iteration + 1) * 800 / 600)
    assert fit.refit_iterations == max(MIN_REFIT_ITERATIONS, expected)
    assert fit.model.tree_count_ == fit.refit_iterations
    assert fit.selection_model.tree_count_ == fit.best_iteration + 1


def test_no_half_life_to_choose_from_is_an_error() -> None:
    class NoChoice(_Settings):
        half_lives = ()

    sample = _drifting(50, 0, 3)
    with pytest.raises(ValueError, match="at least one half-life"):
        fit_recency_selected(CatBoostClassifier, NoChoice(), "Logloss", "AUC", sample, sample)


def test_sample_without_opening_times_counts_all_as_equally_recent() -> None:
    sample = Sample.of(pd.DataFrame({"x": [1, 2]}), np.array([0, 1]))
    assert sample.opened_days.tolist() == [0.0, 0.0]
    assert len(sample.followed_by(sample)) == 4
