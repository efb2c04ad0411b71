import numpy as np
import pytest

from incident_intel.ml.breach.thresholds import (
    evaluate_threshold,
    max_f1,
    recall_at_least,
    top_fraction,
    tune_thresholds,
)


@pytest.fixture
def scored() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    y = (rng.random(2000) < 0.15).astype(int)
    scores = np.clip(0.3 * y + rng.normal(0.3, 0.15, size=y.size), 0, 1)
    return y, scores


def test_max_f1_is_the_best_threshold(scored) -> None:
    y, p = scored
    best = max_f1(y, p)
    f1_everywhere = [evaluate_threshold(y, p, t).f1 for t in np.unique(p)]
    assert best.f1 == pytest.approx(max(f1_everywhere))
    assert evaluate_threshold(y, p, best.threshold).f1 == pytest.approx(best.f1)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.95])
def test_recall_at_least_reaches_target_with_highest_threshold(scored, target: float) -> None:
    y, p = scored
    choice = recall_at_least(y, p, target)
    assert choice.recall >= target
    higher = p[p > choice.threshold]
    assert higher.size == 0 or evaluate_threshold(y, p, higher.min()).recall < target


@pytest.mark.parametrize("fraction", [0.01, 0.05, 0.2])
def test_top_fraction_alerts_that_fraction(scored, fraction: float) -> None:
    y, p = scored
    choice = top_fraction(y, p, fraction)
    assert choice.alert_rate == pytest.approx(fraction)
    assert (p >= choice.threshold).sum() == round(fraction * len(p))


def test_tune_thresholds_reports_every_rule(scored) -> None:
    y, p = scored
    tuned = tune_thresholds(y, p)
    assert set(tuned) == {"max_f1", "recall_at_least", "top_fraction"}
    for choice in tuned.values():
        again = evaluate_threshold(y, p, choice.threshold)
        assert (again.precision, again.recall) == pytest.approx((choice.precision, choice.recall))
        assert set(choice.as_dict()) >= {"threshold", "precision", "recall", "f1", "alert_rate"}


def test_ties_are_alerted_together() -> None:
    y = np.array([1, 0, 1, 0, 0])
    p = np.array([0.9, 0.5, 0.5, 0.5, 0.1])
    choice = recall_at_least(y, p, 1.0)
    assert choice.threshold == 0.5
    assert choice.alert_rate == pytest.approx(0.8)


def test_needs_a_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        max_f1([0, 0, 0], [0.1, 0.2, 0.3])
