import numpy as np
import pytest

from incident_intel.ml.triage.neighbours import label_votes, nearest


def unit(rows) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


CORPUS = unit([[1, 0], [0.9, 0.1], [0, 1], [-1, 0]])


def test_nearest_orders_by_similarity() -> None:
    indices, sims = nearest(unit([[1, 0.05], [0, 1]]), CORPUS, k=2, chunk_rows=1)
    assert indices.tolist() == [[0, 1], [2, 1]]
    assert (np.diff(sims, axis=1) <= 0).all()
    everything, _ = nearest(unit([[1, 0]]), CORPUS, k=10)
    assert everything.shape == (1, 4)


def test_ties_break_by_position() -> None:
    corpus = unit([[1, 0], [1, 0], [1, 0]])
    assert nearest(unit([[1, 0]]), corpus, k=2)[0].tolist() == [[0, 1]]


def test_neighbour_votes() -> None:
    found = nearest(unit([[1, 0.02]]), CORPUS, k=3)
    proba = label_votes(*found, np.array([0, 0, 1, 1]), 2)
    assert proba.shape == (1, 2)
    assert proba.sum() == pytest.approx(1.0)
    assert proba[0, 0] > 0.99
