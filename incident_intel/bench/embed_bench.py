"""Embedding throughput and accuracy: the fast backend against the fp32 reference."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

import numpy as np

from incident_intel.gold.embeddings import Backend, TextEmbedder

_SYSTEMS = (
    "Outlook", "VPN client", "SAP ERP", "Teams", "the payroll portal", "Citrix workspace",
    "the shared drive", "Jira", "Salesforce", "the HR portal", "the printer on floor 3",
    "the Oracle database", "the Wi-Fi in building B", "OneDrive", "the billing API",
)  # fmt: skip
_SYMPTOMS = (
    "keeps crashing on start", "is very slow since this morning", "shows error 0x80070005",
    "rejects my password", "cannot connect to the server", "times out after 30 seconds",
    "returns HTTP 503 intermittently", "does not sync any more", "hangs when saving",
    "says access denied", "shows a certificate warning", "logs me out every few minutes",
)  # fmt: skip
_CONTEXTS = (
    "after the update to v2.3.1 last night", "since the office move on Monday",
    "only when working from home", "for the whole finance team", "on my new laptop",
    "after my password was reset", "since the patch weekend", "for about 20 users in Leeds",
)  # fmt: skip
_DETAILS = (
    "I already restarted the machine twice and cleared the cache but nothing changed.",
    "The problem started around 10:45 and is blocking month end closing.",
    "Colleagues on the same floor have the same issue, so it looks like a wider outage.",
    "I tried another browser and reinstalled the client without any luck.",
    "Please call me back at +1 555-013-2245 or mail first.last@corp-example.com.",
    "My login is jdoe42 and the machine has IP 10.24.3.17 if that helps.",
    "This is urgent because customers cannot place orders at the moment.",
    "The event log shows repeated warnings from the service account every minute.",
    "We raised INC0012345 for something similar last month and it came back.",
    "A screenshot of the error message is attached to this ticket.",
    "The issue affects both the desktop application and the web version.",
    "Nothing was changed on my side apart from the usual Windows updates.",
)  # fmt: skip


def synthetic_ticket_texts(n_texts: int, seed: int = 0) -> list[str]:
    """Deterministic, realistic IT-ticket texts (short description + description, ~30-80 words)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(n_texts):
        system, symptom = rng.choice(_SYSTEMS), rng.choice(_SYMPTOMS)
        title = f"{system} {symptom}"
        opening = f"Hi, {system} {symptom} {rng.choice(_CONTEXTS)}."
        details = rng.sample(_DETAILS, k=rng.randint(1, 5))
        body = " ".join([opening, *details, "Thanks."])
        texts.append(f"{title}. {body}")
    return texts


def _throughput(
    embedder: TextEmbedder, texts: list[str], repeats: int
) -> tuple[list[float], np.ndarray]:
    embedder.embed(texts[: min(len(texts), 256)])  # load the model and create kernels first
    rates, vectors = [], np.empty(0)
    for _ in range(repeats):
        start = time.perf_counter()
        vectors = embedder.embed(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return rates, vectors


def bench_embed(
    n_texts: int = 1000,
    backend: Backend = "auto",
    seed: int = 0,
    batch_size: int = 64,
    repeats: int = 3,
) -> dict:
    """Texts per second of `backend` and of the fp32 reference on synthetic ticket texts.

    Also the cosine between the two backends' vectors of the same texts.
    """
    texts = synthetic_ticket_texts(n_texts, seed)
    fast = TextEmbedder(backend=backend, batch_size=batch_size)
    fast_rates, fast_vectors = _throughput(fast, texts, repeats)
    reference = TextEmbedder(backend="torch-fp32", batch_size=batch_size)
    fp32_rates, fp32_vectors = _throughput(reference, texts, repeats)
    cosine = (fast_vectors * fp32_vectors).sum(axis=1)
    # Best of the repeats, as timeit does: other processes on a shared machine only slow it down.
    return {
        "backend": fast.backend,
        "n_texts": n_texts,
        "mean_words": float(np.mean([len(t.split()) for t in texts])),
        "texts_per_second": round(max(fast_rates), 1),
        "texts_per_second_median": round(statistics.median(fast_rates), 1),
        "fp32_texts_per_second": round(max(fp32_rates), 1),
        "fp32_texts_per_second_median": round(statistics.median(fp32_rates), 1),
        "speedup": round(max(fast_rates) / max(fp32_rates), 2),
        "mean_cosine_to_fp32": float(cosine.mean()),
        "min_cosine_to_fp32": float(cosine.min()),
        "batch_size": batch_size,
        "max_seq_length": fast.max_seq_length,
    }


def compare_backends_on_triage(
    csv_path: str | Path,
    text_columns: tuple[str, ...] = ("title", "body"),
    label_column: str = "category",
    backend: Backend = "auto",
    seed: int = 42,
) -> dict:
    """Triage top-1 on a labelled ticket CSV with fp32 embeddings and with `backend`'s.

    Both runs share the split, the TF-IDF features and the model settings; only the embeddings
    differ, so the top-1 difference is what the faster backend costs.
    """
    # bench builds on ml, not the reverse: import it only for this cross-check.
    from incident_intel.bench.triage_bench import run_triage_bench

    fast = TextEmbedder(backend=backend)
    figures = {
        name: run_triage_bench(csv_path, text_columns, label_column, seed=seed, embedder=embedder)
        for name, embedder in (("fp32", TextEmbedder("torch-fp32")), (fast.backend, fast))
    }
    fp32_top1 = figures["fp32"]["top1_accuracy"]
    fast_top1 = figures[fast.backend]["top1_accuracy"]
    return {
        "label_column": label_column,
        "backend": fast.backend,
        "fp32_top1_accuracy": fp32_top1,
        "backend_top1_accuracy": fast_top1,
        "top1_difference_points": round(100 * (fast_top1 - fp32_top1), 2),
        "fp32_embed_seconds": figures["fp32"]["embed_seconds"],
        "backend_embed_seconds": figures[fast.backend]["embed_seconds"],
    }
