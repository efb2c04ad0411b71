"""Nearest past incidents by cosine similarity of their (unit-norm) text embeddings."""

from __future__ import annotations

import numpy as np


def nearest(
    query: np.ndarray, corpus: np.ndarray, k: int, chunk_rows: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and cosine similarities of the k most similar corpus rows, most similar first.

    Works in chunks of query rows so that memory stays at chunk_rows x len(corpus). Exact ties
    are broken by corpus position, so results are deterministic.
    """
    query = np.asarray(query, dtype=np.float32)
    corpus = np.asarray(corpus, dtype=np.float32)
    k = min(k, len(corpus))
    indices = np.zeros((len(query), k), dtype=np.int64)
    similarities = np.zeros((len(query), k), dtype=np.float32)
    for start in range(0, len(query), chunk_rows):
        sims = query[start : start + chunk_rows] @ corpus.T
        candidates = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        candidate_sims = np.take_along_axis(sims, candidates, axis=1)
        order = np.lexsort((candidates, -candidate_sims), axis=1)
        rows = slice(start, start + len(sims))
        indices[rows] = np.take_along_axis(candidates, order, axis=1)
        similarities[rows] = np.take_along_axis(candidate_sims, order, axis=1)
    return indices, similarities


def label_votes(
    indices: np.ndarray,
    sims: np.ndarray,
    corpus_label_index: np.ndarray,
    n_classes: int,
    temperature: float = 0.05,
) -> np.ndarray:
    """Class probabilities from the labels of the nearest corpus rows (`nearest`'s indices and
    similarities), (n, n_classes).

    Each neighbour votes with weight exp(similarity / temperature), so near-duplicates of the
    query dominate and loosely related tickets barely count.
    """
    weights = np.exp((sims - sims[:, :1]) / temperature)  # shifted by the row max: no overflow
    proba = np.zeros((len(indices), n_classes))
    np.add.at(proba, (np.arange(len(indices))[:, None], corpus_label_index[indices]), weights)
    return proba / proba.sum(axis=1, keepdims=True)
