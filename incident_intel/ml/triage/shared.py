"""What triage models trained on the same tickets compute alike, computed once per scoring call.

Each triage target has its own model, but those trained on the same tickets hold equal TF-IDF
vectorizers and equal neighbour corpora, so for the same texts and embeddings they build the
same TF-IDF rows and find the same nearest tickets: about 3 of each target's 7 ms for one
incident. `share_equal_parts` makes equal parts one object at load, and a `SharedParts` made
for one call computes each part once per object and inputs, for every model that reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from incident_intel.ml.triage.neighbours import nearest

if TYPE_CHECKING:
    from incident_intel.ml.triage.estimator import TriageClassifier


def _same_vectorizer(a, b) -> bool:
    return (
        type(a) is type(b)
        and a.get_params() == b.get_params()
        and a.vocabulary_ == b.vocabulary_
        and np.array_equal(a.idf_, b.idf_)
    )


def share_equal_parts(models: Sequence[TriageClassifier]) -> None:
    """Make the models' equal vectorizers and neighbour corpora one object each (which also
    keeps one copy of each in memory)."""
    vectorizers: list = []
    corpora: list[np.ndarray] = []
    for model in models:
        same = (v for v in vectorizers if _same_vectorizer(v, model.word_vectorizer_))
        model.word_vectorizer_ = next(same, model.word_vectorizer_)
        vectorizers.append(model.word_vectorizer_)
        corpus = getattr(model, "neighbour_embeddings_", None)
        if corpus is not None:
            equal = (c for c in corpora if c.shape == corpus.shape and np.array_equal(c, corpus))
            model.neighbour_embeddings_ = next(equal, corpus)
            corpora.append(model.neighbour_embeddings_)


class SharedParts:
    """TF-IDF rows and nearest neighbours, each computed once per vectorizer or corpus object
    and inputs. Make one per scoring call: it keeps what it computed until dropped."""

    def __init__(self) -> None:
        # Entries hold their key objects, so that no id is reused while the entry lives.
        self._tfidf: dict[int, list[tuple[object, list[str], sparse.csr_matrix]]] = {}
        self._neighbours: dict[tuple[int, int, int], tuple] = {}

    def tfidf(self, vectorizer, texts: list[str]) -> sparse.csr_matrix:
        entries = self._tfidf.setdefault(id(vectorizer), [])
        for _, seen, rows in entries:
            if seen == texts:
                return rows
        rows = vectorizer.transform(texts)
        entries.append((vectorizer, texts, rows))
        return rows

    def nearest(self, query: np.ndarray, corpus: np.ndarray, k: int):
        key = (id(query), id(corpus), k)
        if key not in self._neighbours:
            self._neighbours[key] = (query, corpus, nearest(query, corpus, k))
        return self._neighbours[key][2]
