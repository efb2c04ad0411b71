import threading
import time

import numpy as np
import pytest

from incident_intel.bench.embed_bench import synthetic_ticket_texts
from incident_intel.gold.embeddings import (
    DEFAULT_MODEL_ID,
    EMBEDDING_DIM,
    TextEmbedder,
    model_id_for,
    resolve_backend,
    text_hash,
)


def test_text_hash_is_over_scrubbed_text_and_model() -> None:
    assert text_hash("mail jdoe@example.org") == text_hash("mail [EMAIL]")
    assert text_hash("vpn down") != text_hash("vpn up")
    assert text_hash("vpn down") != text_hash("vpn down", model_id_for(64))
    assert text_hash(None) == text_hash("")
    assert len(text_hash("x")) == 64
    assert TextEmbedder(max_seq_length=128).text_hash("x") == text_hash("x", DEFAULT_MODEL_ID)


def test_backends() -> None:
    assert resolve_backend("auto") in {"torch-bf16", "torch-fp32"}
    assert resolve_backend("torch-int8") == "torch-int8"
    with pytest.raises(ValueError, match="unknown embedding backend"):
        TextEmbedder(backend="tpu")


def test_synthetic_texts_are_deterministic_ticket_sized() -> None:
    texts = synthetic_ticket_texts(200, seed=3)
    assert texts == synthetic_ticket_texts(200, seed=3)
    assert texts != synthetic_ticket_texts(200, seed=4)
    words = [len(t.split()) for t in texts]
    assert min(words) >= 20
    assert max(words) <= 110
    assert 35 <= np.mean(words) <= 80


def test_workers_are_at_least_one() -> None:
    with pytest.raises(ValueError, match="workers"):
        TextEmbedder(workers=0)


@pytest.mark.slow
def test_workers_embed_batches_side_by_side_to_the_same_vectors(embedder: TextEmbedder) -> None:
    import torch

    texts = synthetic_ticket_texts(120, seed=2)
    threads = torch.get_num_threads()
    side_by_side = TextEmbedder(backend=embedder.backend, batch_size=16, workers=3)
    try:
        side_by_side.embed(texts[:1])
        assert torch.get_num_threads() == 1
        model, callers = side_by_side._model, set()

        def forward(**inputs):
            callers.add(threading.get_ident())
            time.sleep(0.01)  # long enough that the other workers take the next batches
            return model(**inputs)

        side_by_side._model = forward
        vectors = side_by_side.embed(texts)
    finally:
        torch.set_num_threads(threads)
    assert len(callers) > 1
    assert np.array_equal(
        vectors, TextEmbedder(backend=embedder.backend, batch_size=16).embed(texts)
    )


def test_empty_input_needs_no_model() -> None:
    embedder = TextEmbedder()
    assert embedder.embed([]).shape == (0, EMBEDDING_DIM)
    assert embedder._model is None


@pytest.mark.slow
def test_embed_shape_norm_and_meaning(embedder: TextEmbedder) -> None:
    texts = [
        "VPN tunnel keeps dropping when working from home",
        "Remote access VPN disconnects every few minutes",
        "Printer on floor 3 is jammed again",
        "",
        None,
    ]
    vectors = embedder.embed(texts)
    assert vectors.shape == (5, EMBEDDING_DIM)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@pytest.mark.slow
def test_embed_is_deterministic_order_free_and_scrubbed(embedder: TextEmbedder) -> None:
    texts = synthetic_ticket_texts(40, seed=1)
    vectors = embedder.embed(texts)
    assert np.allclose(embedder.embed(texts[::-1])[::-1], vectors, atol=1e-5)
    assert np.allclose(embedder.embed(texts[:1]), vectors[:1], atol=1e-3)
    scrubbed = embedder.embed(["call me on 555-0132", "call me on [PHONE]"])
    assert np.allclose(scrubbed[0], scrubbed[1])


@pytest.mark.slow
def test_model_loads_once_across_threads(embedder: TextEmbedder, monkeypatch) -> None:
    import transformers

    embedder.embed(["warm"])
    loads = []

    def slow_load(*args, **kwargs):
        loads.append(args)
        time.sleep(0.2)  # wide window for a second thread to race in
        return embedder._model

    monkeypatch.setattr(transformers.AutoModel, "from_pretrained", slow_load)
    fresh = TextEmbedder(backend=embedder.backend)
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(fresh.embed(["disk full"])))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(loads) == 1
    assert len(results) == 4
    assert all(np.allclose(r, results[0], atol=1e-5) for r in results)
