import math

import numpy as np
import pandas as pd
import pytest

from incident_intel.ml.gates import (
    breach_gate,
    leakage_sentinel,
    single_feature_auc,
    triage_gate,
    ttr_gate,
)

ROWS = 400


def _breach(quality: dict[str, float], seed: int = 0):
    """Labels, and per name a score that separates the classes by `quality` standard deviations."""
    rng = np.random.default_rng(seed)
    y = (rng.random(ROWS) < 0.3).astype(int)
    scores = {name: q * y + rng.normal(size=ROWS) for name, q in quality.items()}
    return (y, scores.pop("model"), scores), {}


def _ttr(quality: dict[str, float], seed: int = 0):
    """Hours, and per name a prediction whose error shrinks as `quality` grows."""
    rng = np.random.default_rng(seed)
    hours = rng.gamma(2.0, 8.0, size=ROWS)
    predicted = {name: hours + rng.normal(scale=10.0 / q, size=ROWS) for name, q in quality.items()}
    return (hours, predicted.pop("model"), predicted), {}


def _triage(quality: dict[str, float], seed: int = 0):
    """Labels, and per name top-1 labels right with probability `quality` / 4."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(np.array(["network", "email", "access", "other"], dtype=object), ROWS)
    top1 = {
        name: np.where(rng.random(ROWS) < q / 4, truth, "hardware") for name, q in quality.items()
    }
    return (truth, top1.pop("model"), top1), {"target": "category"}


GATES = [(breach_gate, _breach), (ttr_gate, _ttr), (triage_gate, _triage)]


@pytest.mark.parametrize(("gate", "make"), GATES)
def test_the_gate_compares_with_the_strongest_baseline(gate, make) -> None:
    args, kwargs = make({"model": 3.0, "priority": 0.5, "strong": 2.0, "weak": 1.0})
    result = gate(*args, seed=1, **kwargs)
    assert result.passed
    assert result.baseline == "strong"
    assert result.advantage == pytest.approx(
        (result.model_value - result.baseline_value) * (1 if result.higher_is_better else -1)
    )


@pytest.mark.parametrize(("gate", "make"), GATES)
def test_a_model_that_loses_to_a_default_catboost_fails(gate, make) -> None:
    args, kwargs = make({"model": 2.0, "median": 0.5, "catboost_default": 2.6})
    result = gate(*args, seed=1, **kwargs)
    assert not result.passed and not result.wins
    assert result.baseline == "catboost_default"
    assert result.advantage < 0
    assert result.advantage_high <= 0  # beaten beyond noise
    assert not result.beyond_noise


@pytest.mark.parametrize(
    ("gate", "make", "quality"),
    [(g, m, q) for (g, m), q in zip(GATES, (1.9, 1.8, 1.95), strict=True)],
)
def test_a_loss_within_noise_does_not_block(gate, make, quality) -> None:
    args, kwargs = make({"model": quality, "catboost_default": 2.0})
    result = gate(*args, seed=1, **kwargs)
    assert result.advantage < 0 < result.advantage_high
    assert result.passed and not result.wins and not result.beyond_noise


@pytest.mark.parametrize(("gate", "make"), GATES)
def test_the_interval_holds_the_point_difference(gate, make) -> None:
    args, kwargs = make({"model": 2.2, "baseline": 2.0})
    result = gate(*args, seed=3, **kwargs)
    assert result.interval_level == 0.9
    assert result.advantage_low < result.advantage < result.advantage_high
    assert gate(*args, seed=3, **kwargs) == result  # seeded: the same interval again
    assert gate(*args, seed=4, **kwargs).advantage_low != result.advantage_low


@pytest.mark.parametrize(("gate", "make"), GATES)
def test_a_clear_win_is_beyond_noise(gate, make) -> None:
    args, kwargs = make({"model": 3.5, "baseline": 1.0})
    result = gate(*args, seed=0, **kwargs)
    assert result.passed and result.beyond_noise and result.advantage_low > 0


def _near_tie(gate, y, baseline, model, **kwargs):
    """The gate on a model that differs from its baseline on a handful of rows only."""
    result = gate(y, model, {"baseline": baseline}, seed=0, **kwargs)
    assert result.passed and result.wins  # better on the point estimate...
    assert result.advantage_low <= 0 < result.advantage_high  # ...but not beyond noise
    assert not result.beyond_noise


def test_a_win_on_a_few_rows_is_within_noise() -> None:
    (y, _, scores), _ = _breach({"model": 1.0, "baseline": 1.0})
    nudged = scores["baseline"].copy()
    top_negative = np.flatnonzero(y == 0)[np.argmax(nudged[y == 0])]
    nudged[top_negative] = nudged.min() - 1.0  # one false alarm fewer at the top
    _near_tie(breach_gate, y, scores["baseline"], nudged)

    (hours, _, predicted), _ = _ttr({"model": 1.0, "baseline": 1.0})
    errors = np.sign(predicted["baseline"] - hours)
    nudged = predicted["baseline"] - errors * np.r_[np.full(3, 2.0), np.full(2, -2.0), [0] * 395]
    _near_tie(ttr_gate, hours, predicted["baseline"], nudged)

    (truth, _, top1), kwargs = _triage({"model": 2.0, "baseline": 2.0})
    nudged = top1["baseline"].copy()
    misses, hits = np.flatnonzero(nudged != truth), np.flatnonzero(nudged == truth)
    nudged[misses[:3]] = truth[misses[:3]]
    nudged[hits[:2]] = "hardware"
    _near_tie(triage_gate, truth, top1["baseline"], nudged, **kwargs)


def test_ties_and_undefined_figures_fail() -> None:
    y = np.array([0, 1, 0, 1, 1, 0])
    scores = np.array([0.1, 0.9, 0.2, 0.8, 0.7, 0.3])
    tie = breach_gate(y, scores, {"same": scores.copy()}, seed=0)
    assert not tie.passed and tie.advantage == 0.0
    no_positives = breach_gate(np.zeros(6, dtype=int), scores, {"same": scores}, seed=0)
    assert not no_positives.passed and math.isnan(no_positives.advantage)
    assert not no_positives.beyond_noise


def test_gate_record() -> None:
    hours = np.array([1.0, 2.0, 4.0, 8.0])
    result = ttr_gate(hours, hours + 1.0, {"median": hours + 3.0, "worse": hours + 9.0}, seed=0)
    record = result.as_dict()
    assert record["metric"] == "mae_hours" and record["baseline"] == "median"
    assert (record["model_value"], record["baseline_value"], record["advantage"]) == (1.0, 3.0, 2.0)
    assert record["passed"] and record["beyond_noise"]  # better on every row
    assert set(record) >= {"advantage_low", "advantage_high", "interval_level", "higher_is_better"}


def test_the_triage_gate_is_named_by_target() -> None:
    truth = np.array(["a", "b", "a", "b"], dtype=object)
    result = triage_gate(truth, truth, {"tfidf_linear": truth[::-1]}, seed=0, target="group")
    assert result.metric == "group_top1_accuracy"
    assert (result.model_value, result.baseline_value) == (1.0, 0.0)


def test_leakage_sentinel_flags_only_the_leak() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.3).astype(int)
    X = pd.DataFrame(
        {
            "made_sla": np.where(rng.random(600) < 0.99, 1 - y, y),  # the outcome itself
            "close_code": np.where(y == 1, "breached", "solved"),
            "priority": rng.choice(["1", "2", "3"], size=600),
            "sys_id": [f"id{i}" for i in range(600)],  # unique: must not look predictive
            "noise": rng.normal(size=600),
        }
    )
    flagged = leakage_sentinel(X, y, threshold=0.95)
    assert set(flagged) == {"made_sla", "close_code"}
    aucs = single_feature_auc(X, y)
    assert aucs["sys_id"] < 0.6
    assert all(0.5 <= auc <= 1.0 for auc in aucs.values())
