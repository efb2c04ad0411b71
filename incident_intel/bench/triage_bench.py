"""Triage benchmark: TriageClassifier against the TF-IDF + linear baseline on a ticket CSV."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from incident_intel.gold.embeddings import TextEmbedder
from incident_intel.gold.scrubbing import scrub_many
from incident_intel.ml.triage.baselines import TfidfLinearBaseline
from incident_intel.ml.triage.estimator import TriageClassifier
from incident_intel.ml.triage.labels import as_labels
from incident_intel.ml.triage.metrics import triage_report

_SUMMARY_KEYS = (
    "top1_accuracy",
    "top3_accuracy",
    "macro_f1",
    "coverage_at_target_precision",
    "precision_auto_route",
    "coverage_human_review",
    "precision_human_review",
    "coverage_escalate",
    "mean_top1_confidence",
)


def load_labelled_tickets(
    csv_path: str | Path, text_columns: Sequence[str], label_column: str
) -> tuple[list[str], np.ndarray, pd.DataFrame]:
    """Scrubbed texts (the text columns joined), string labels and the frame (gzip is fine)."""
    frame = pd.read_csv(csv_path)
    missing = [c for c in [*text_columns, label_column] if c not in frame.columns]
    if missing:
        raise ValueError(f"{csv_path} has no column(s) {missing}")
    joined = frame[list(text_columns)].fillna("").astype(str).agg(" ".join, axis=1)
    return scrub_many(joined.str.strip()), as_labels(frame[label_column]), frame


def stratified_split(
    labels: np.ndarray, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Seeded train/test indices, stratified by label where possible.

    Labels seen once are pooled into one stratum (or, if only one such label exists, join the
    most common label's); if stratifying still fails, the split is plain random.
    """
    index = np.arange(len(labels))
    values, counts = np.unique(labels, return_counts=True)
    singletons = set(values[counts < 2])
    pool = "__rare__" if len(singletons) > 1 else values[np.argmax(counts)]
    strata = np.array([(pool if v in singletons else v) for v in labels], dtype=object)
    try:
        return train_test_split(index, test_size=test_fraction, random_state=seed, stratify=strata)
    except ValueError:
        return train_test_split(index, test_size=test_fraction, random_state=seed)


def _evaluate(model: TriageClassifier, texts, labels, embeddings, cats) -> dict:
    top_labels, top_conf = model.predict_top_k(texts, embeddings, cats, k=3)
    actions = model.actions(top_labels[:, 0], top_conf[:, 0])
    report = triage_report(model.fold_labels(labels), top_labels, top_conf, actions)
    return {key: report[key] for key in _SUMMARY_KEYS}


def run_triage_bench(
    csv_path: str | Path,
    text_columns: Sequence[str] = ("title", "body"),
    label_column: str = "category",
    seed: int = 42,
    test_fraction: float = 0.2,
    calibration_fraction: float = 0.15,
    cat_columns: Sequence[str] = (),
    embedder: TextEmbedder | None = None,
    model_params: dict | None = None,
    baseline_params: dict | None = None,
) -> dict:
    """Train on a seeded 80 % and evaluate on the other 20 %, model beside baseline.

    Both fit on the training part less a `calibration_fraction` slice, on which they calibrate
    their confidences and per-class thresholds; the test part is used only to evaluate.
    """
    texts, labels, frame = load_labelled_tickets(csv_path, text_columns, label_column)
    cats = frame[list(cat_columns)] if cat_columns else None
    train, test = stratified_split(labels, test_fraction, seed)
    fit_part, calib_part = (
        train[i] for i in stratified_split(labels[train], calibration_fraction, seed)
    )

    embedder = embedder or TextEmbedder()
    start = time.perf_counter()
    embeddings = embedder.embed(texts)
    embed_seconds = time.perf_counter() - start

    def part(rows: np.ndarray) -> tuple:
        sub_cats = None if cats is None else cats.iloc[rows].reset_index(drop=True)
        return [texts[i] for i in rows], labels[rows], embeddings[rows], sub_cats

    figures = {}
    for name, model in (
        ("model", TriageClassifier(cat_features=cat_columns, seed=seed, **(model_params or {}))),
        ("baseline", TfidfLinearBaseline(seed=seed, **(baseline_params or {}))),
    ):
        t, y, e, c = part(fit_part)
        model.fit(t, y, e, c)
        t, y, e, c = part(calib_part)
        model.calibrate(t, y, e, c)
        figures[name] = _evaluate(model, *part(test))
        figures[name]["n_model_classes"] = len(model.classes_)

    return {
        "bench": "triage",
        "label_column": label_column,
        "text_columns": list(text_columns),
        "cat_columns": list(cat_columns),
        **figures["model"],
        "baseline": figures["baseline"],
        "top1_gain_points": round(
            100 * (figures["model"]["top1_accuracy"] - figures["baseline"]["top1_accuracy"]), 2
        ),
        "n_train": len(train),
        "n_test": len(test),
        "n_classes": len(np.unique(labels)),
        "embedding_backend": embedder.backend,
        "embed_seconds": round(embed_seconds, 2),
        "seed": seed,
    }
