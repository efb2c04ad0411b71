"""The population stability index (PSI): how far one set of bin shares has moved from another."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# A bin empty on one side would make its log infinite. Both shares are floored at one incident
# in ten thousand instead, so such a bin adds a large but finite term: a value never seen in
# training that takes 5 % of today's incidents adds 0.05 × ln(0.05 / 0.0001) ≈ 0.31 on its own,
# while a rare training value absent today (0.5 % of training) adds only about 0.02.
EPSILON = 1e-4


def psi(expected: Sequence[float], actual: Sequence[float], epsilon: float = EPSILON) -> float:
    """Σ (actual − expected) · ln(actual / expected) over the bins, shares floored at `epsilon`.

    `expected` is the reference's share of each bin, `actual` the new data's, in the same bins;
    each sums to 1. Zero when they are equal; by convention above 0.1 is a shift worth a look
    and above 0.25 a shift that changes what the model sees.
    """
    e = np.maximum(np.asarray(expected, dtype=float), epsilon)
    a = np.maximum(np.asarray(actual, dtype=float), epsilon)
    if e.shape != a.shape:
        raise ValueError(f"expected and actual need the same bins, got {e.shape} and {a.shape}")
    return float(np.sum((a - e) * np.log(a / e)))
