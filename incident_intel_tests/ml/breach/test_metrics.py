import numpy as np
import pytest

from incident_intel.ml.breach.metrics import (
    binary_report,
    brier,
    confusion,
    pr_auc,
    reliability_table,
    roc_auc,
)


def test_perfect_and_random_rankings() -> None:
    y = np.array([0, 0, 1, 1])
    assert roc_auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert pr_auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert np.isnan(roc_auc([1, 1], [0.2, 0.3]))


def test_brier_and_confusion() -> None:
    y = np.array([0, 1, 1, 0])
    p = np.array([0.0, 1.0, 0.4, 0.6])
    assert brier(y, p) == pytest.approx((0 + 0 + 0.36 + 0.36) / 4)
    assert confusion(y, p, 0.5) == {"tp": 1, "fp": 1, "tn": 1, "fn": 1}


def test_reliability_table_has_ten_bins_covering_every_score() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    table = reliability_table(y, p)
    assert len(table) == 10
    assert table["count"].sum() == 500
    assert list(table.columns) == [
        "bin",
        "lower",
        "upper",
        "mean_predicted",
        "observed_rate",
        "count",
    ]
    filled = table[table["count"] > 0]
    assert (
        (filled["mean_predicted"] >= filled["lower"])
        & (filled["mean_predicted"] <= filled["upper"])
    ).all()
    assert reliability_table([1], [1.0])["count"].iloc[-1] == 1


def test_binary_report_keys() -> None:
    report = binary_report([0, 1, 0, 1], [0.2, 0.7, 0.4, 0.9])
    assert report["roc_auc"] == 1.0
    assert report["base_rate"] == 0.5
    assert report["n"] == 4
