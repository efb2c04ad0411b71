import hashlib

import numpy as np
import pandas as pd

from incident_intel.bench.triage_bench import run_triage_bench, stratified_split
from incident_intel_tests.ml.triage.test_estimator import make_tickets


class HashingEmbedder:
    """Stands in for TextEmbedder: deterministic unit vectors from word hashes, no model."""

    backend = "hashing"

    def embed(self, texts):
        out = np.zeros((len(texts), 32), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 32] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_bench_on_a_gzipped_csv(tmp_path) -> None:
    texts, labels, _, _ = make_tickets(300, 5, rare=3)
    path = tmp_path / "tickets.csv.gz"
    pd.DataFrame(
        {"title": [t[:20] for t in texts], "body": texts, "queue": labels, "channel": "email"}
    ).to_csv(path, index=False, compression="gzip")
    figures = run_triage_bench(
        path, ("title", "body"), "queue", cat_columns=("channel",), embedder=HashingEmbedder()
    )
    assert figures["n_train"] + figures["n_test"] == 300
    assert figures["n_test"] == 60
    assert figures["n_classes"] == 5
    for side in (figures, figures["baseline"]):
        assert 0 <= side["top1_accuracy"] <= side["top3_accuracy"] <= 1
        assert 0 <= side["coverage_at_target_precision"] <= 1
        assert {"macro_f1", "coverage_human_review", "coverage_escalate"} <= set(side)
    assert figures["top1_accuracy"] > 0.7
    again = run_triage_bench(
        path, ("title", "body"), "queue", cat_columns=("channel",), embedder=HashingEmbedder()
    )
    figures.pop("embed_seconds"), again.pop("embed_seconds")
    assert again == figures


def test_split_is_stratified_and_seeded() -> None:
    labels = np.array(["a"] * 50 + ["b"] * 50 + ["c"])
    train, test = stratified_split(labels, 0.2, seed=1)
    assert len(train) == 80
    assert len(test) == 21
    assert (labels[test] == "b").sum() == 10
    assert (labels[test] != "b").sum() == 11
    assert np.array_equal(stratified_split(labels, 0.2, seed=1)[1], test)
