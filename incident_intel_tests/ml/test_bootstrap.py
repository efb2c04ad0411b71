import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from incident_intel.ml.bootstrap import resample_counts, weighted_average_precision, weighted_mean


def test_resample_counts_draw_every_resample_in_full() -> None:
    counts = resample_counts(50, 200, seed=7)
    assert counts.shape == (200, 50)
    assert (counts.sum(axis=1) == 50).all()
    assert np.array_equal(counts, resample_counts(50, 200, seed=7))
    assert counts.mean() == pytest.approx(1.0)


def test_weighted_mean_is_the_mean_of_the_resampled_rows() -> None:
    values = np.array([1.0, 2.0, 6.0])
    counts = np.array([[1, 1, 1], [3, 0, 0], [0, 1, 2]])
    assert weighted_mean(values, counts) == pytest.approx([3.0, 1.0, 14 / 3])


def test_weighted_average_precision_matches_sklearn_with_weights() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(300) < 0.2).astype(int)
    scores = np.round(rng.random(300) + 0.4 * y, 1)  # rounded: many ties
    counts = resample_counts(300, 20, seed=1)
    ours = weighted_average_precision(y, scores, np.vstack([np.ones(300), counts]))
    assert ours[0] == pytest.approx(average_precision_score(y, scores))
    expected = [average_precision_score(y, scores, sample_weight=w) for w in counts]
    assert ours[1:] == pytest.approx(expected)


def test_weighted_average_precision_is_nan_without_positives() -> None:
    result = weighted_average_precision([0, 1], [0.2, 0.9], np.array([[2, 0], [1, 1]]))
    assert np.isnan(result[0]) and result[1] == 1.0
