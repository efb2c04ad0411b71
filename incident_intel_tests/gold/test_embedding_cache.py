import hashlib

import numpy as np
import polars as pl

from incident_intel.gold.embedding_cache import embed_with_cache, empty_cache

DIM = 4


class CountingEmbedder:
    """Deterministic vectors from the text's hash; counts what it was asked to embed."""

    model_id = "fake@4"

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def text_hash(self, text: str | None) -> str:
        return hashlib.sha256(f"{self.model_id}\n{text}".encode()).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.array([[b / 255 for b in hashlib.md5(t.encode()).digest()[:DIM]] for t in texts])


def _texts(pairs):
    return pl.DataFrame({"sys_id": [p[0] for p in pairs], "text": [p[1] for p in pairs]})


def test_each_text_is_embedded_once_ever():
    embedder = CountingEmbedder()
    first = embed_with_cache(
        _texts([("a", "vpn down"), ("b", "vpn down"), ("c", "printer jam")]),
        embedder,
        empty_cache(DIM),
        DIM,
    )
    assert sorted(embedder.embedded) == ["printer jam", "vpn down"]
    assert first.newly_embedded == 2 and first.cache_hits == 0
    second = embed_with_cache(
        _texts([("a", "vpn down"), ("d", "disk full")]), embedder, first.cache, DIM
    )
    assert embedder.embedded[-1] == "disk full" and len(embedder.embedded) == 3
    assert second.newly_embedded == 1 and second.cache_hits == 1
    assert second.cache.height == 3


def test_rows_keep_their_order_and_vectors():
    embedder = CountingEmbedder()
    run = embed_with_cache(
        _texts([("x", "one"), ("y", "two"), ("z", "one")]), embedder, empty_cache(DIM), DIM
    )
    assert run.embeddings["sys_id"].to_list() == ["x", "y", "z"]
    vectors = run.embeddings["embedding"].to_numpy()
    assert np.allclose(vectors[0], vectors[2]) and not np.allclose(vectors[0], vectors[1])
