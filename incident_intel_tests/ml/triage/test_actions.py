import numpy as np
import pytest

from incident_intel.ml.triage.actions import smallest_threshold


@pytest.mark.parametrize(
    ("confidence", "correct", "precision", "expected"),
    [
        ([0.9, 0.8, 0.7, 0.6, 0.5], [1, 1, 1, 1, 1], 0.9, 0.5),
        ([0.9, 0.8, 0.7, 0.6, 0.5], [1, 1, 1, 0, 0], 0.9, 0.7),
        ([0.9, 0.8, 0.7, 0.6, 0.5], [1, 1, 1, 0, 0], 0.6, 0.5),
        ([0.9, 0.8, 0.7, 0.6, 0.5], [0, 0, 0, 0, 0], 0.6, float("inf")),
    ],
)
def test_smallest_threshold(confidence, correct, precision, expected) -> None:
    got = smallest_threshold(np.array(confidence), np.array(correct), precision, min_support=2)
    assert got == expected


def test_smallest_threshold_needs_support() -> None:
    got = smallest_threshold(np.array([0.9, 0.5]), np.array([1, 0]), 0.9, min_support=2)
    assert got == float("inf")
