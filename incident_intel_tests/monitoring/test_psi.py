import math

import pytest

from incident_intel.monitoring.psi import EPSILON, psi


@pytest.mark.parametrize(
    ("expected", "actual", "value"),
    [
        ([0.5, 0.5], [0.5, 0.5], 0.0),
        # Each term is (actual − expected) · ln(actual / expected).
        ([0.5, 0.5], [0.25, 0.75], 0.25 * math.log(2) + 0.25 * math.log(1.5)),
        ([0.2] * 5, [0.1, 0.1, 0.2, 0.3, 0.3], 0.2 * math.log(2) + 0.2 * math.log(1.5)),
        # An emptied bin's share is floored at EPSILON: each adds (0.1 − ε) · ln(0.1 / ε).
        (
            [0.1] * 10,
            [0.2] * 5 + [0.0] * 5,
            5 * 0.1 * math.log(2) + 5 * (0.1 - EPSILON) * math.log(1000),
        ),
        # A bin the reference never saw: its share is floored at EPSILON.
        (
            [0.5, 0.5, 0.0],
            [0.45, 0.5, 0.05],
            0.05 * math.log(1 / 0.9) + (0.05 - EPSILON) * math.log(0.05 / EPSILON),
        ),
    ],
    ids=["equal", "quarter-moved", "tails-doubled", "half-the-bins-emptied", "new-bin"],
)
def test_psi_by_hand(expected, actual, value):
    assert psi(expected, actual) == pytest.approx(value, abs=1e-12)


def test_psi_is_symmetric():
    expected, actual = [0.6, 0.3, 0.1], [0.2, 0.3, 0.5]
    assert psi(expected, actual) == pytest.approx(psi(actual, expected))


def test_psi_refuses_different_bins():
    with pytest.raises(ValueError, match="same bins"):
        psi([0.5, 0.5], [1.0])
