"""Triage: category, assignment group and priority from the text and the fields known at open.

Category and group are learnt from their final values, where the incident ended up. Priority
is learnt from the value set when the incident was created (as of the prediction time): the
model proposes what the service desk would set from the caller's words, with impact and urgency,
which make up the priority, hidden from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from incident_intel.gold.embedding_cache import incident_text
from incident_intel.ml.gates import GateResult, triage_gate
from incident_intel.ml.tabular_data import SPLITS, embedding_matrix
from incident_intel.ml.triage.actions import AUTO_ROUTE
from incident_intel.ml.triage.baselines import DefaultCatBoostBaseline, TfidfLinearBaseline
from incident_intel.ml.triage.estimator import TriageClassifier
from incident_intel.ml.triage.metrics import triage_report
from incident_intel.settings import ModelSettings

TARGETS = {
    "category": "final_category",
    "assignment_group": "final_assignment_group",
    "priority": "priority",
}
STRUCTURED_FIELDS = (
    "category",
    "subcategory",
    "contact_type",
    "location",
    "cmdb_ci",
    "priority",
    "impact",
    "urgency",
)
# Fields that give a target away: the subcategory names its category, and ServiceNow derives
# the priority from impact and urgency.
REVEALING = {
    "category": ("category", "subcategory"),
    "assignment_group": ("assignment_group",),
    "priority": ("priority", "impact", "urgency"),
}


def field_tokens(exclude: tuple[str, ...]) -> pl.Expr:
    """The structured fields known at open as one token each, e.g. `location__Location_143`."""
    tokens = [
        pl.lit(f"{name}__")
        + pl.col(name).cast(pl.String).fill_null("none").str.replace_all(r"\W+", "_")
        for name in STRUCTURED_FIELDS
        if name not in exclude
    ]
    return pl.concat_str(tokens, separator=" ")


@dataclass(frozen=True)
class TriageTraining:
    target: str
    model: TriageClassifier
    metrics: dict[str, Any]
    gate: GateResult


def triage_inputs(
    rows: pl.DataFrame, embeddings: pl.DataFrame | None, target: str
) -> dict[str, Any]:
    """The classifier's inputs for `rows`: texts, embeddings (or None) and categoricals.

    Where an incident has no free text (an event-log export has none), its text is the
    structured fields known at open, as tokens, less those that give the target away.
    """
    return {
        "texts": triage_texts(rows, target),
        "embeddings": None if embeddings is None else embedding_matrix(rows, embeddings),
        "cats": structured_fields(rows, target),
    }


def incident_texts(rows: pl.DataFrame) -> list[str]:
    """Each incident's text, "" where it has none."""
    texts = rows.select(incident_text(pl.col("short_description"), pl.col("description")))
    return texts.to_series().to_list()


def triage_texts(rows: pl.DataFrame, target: str, texts: list[str] | None = None) -> list[str]:
    """Each incident's text, or where it has none, its fields as `field_tokens` less those
    that give `target` away; `texts` are the rows' `incident_texts` where already read."""
    texts = incident_texts(rows) if texts is None else list(texts)
    empty = [i for i, text in enumerate(texts) if text == ""]
    # Most incidents have text: the tokens are only built for those that have none.
    if empty:
        tokens = rows[empty].select(field_tokens(REVEALING[target])).to_series().to_list()
        for i, text in zip(empty, tokens, strict=True):
            texts[i] = text
    return texts


def routing_by_class(truth, predicted, actions) -> list[dict[str, Any]]:
    """Per predicted class: the share auto-routed (coverage), and the share of those right."""
    frame = pl.DataFrame(
        {"truth": list(truth), "predicted": list(predicted), "action": list(actions)},
        schema={"truth": pl.String, "predicted": pl.String, "action": pl.String},
    )
    table = frame.group_by("predicted").agg(
        pl.len().alias("predicted_n"),
        (pl.col("action") == AUTO_ROUTE).mean().alias("auto_route_coverage"),
        pl.col("truth")
        .filter(pl.col("action") == AUTO_ROUTE)
        .eq(pl.col("predicted").filter(pl.col("action") == AUTO_ROUTE))
        .mean()
        .alias("auto_route_precision"),
    )
    return table.sort("predicted_n", descending=True).to_dicts()


def known_fields(target: str) -> list[str]:
    """The structured fields known at open that do not give `target` away."""
    return [name for name in STRUCTURED_FIELDS if name not in REVEALING[target]]


def structured_fields(rows: pl.DataFrame, target: str) -> pd.DataFrame:
    """The structured fields known at open as strings, less those that give the target away."""
    return rows.select(known_fields(target)).cast(pl.String).to_pandas()


def field_strings(rows: pl.DataFrame) -> dict[str, np.ndarray]:
    """Every structured field as strings (object arrays, None for nulls): what triage's models
    read, each taking its own fields (`known_fields`) by name."""
    return {name: rows[name].cast(pl.String).to_numpy() for name in STRUCTURED_FIELDS}


def _evaluate(
    model: TriageClassifier, inputs: dict[str, Any], y
) -> tuple[dict[str, Any], np.ndarray]:
    """The test report of a classifier with decisions, and its top-1 labels."""
    labels, confidences = model.predict_top_k(**inputs, k=3)
    actions = model.actions(labels[:, 0], confidences[:, 0])
    truth = model.fold_labels(y)
    report = triage_report(truth, labels, confidences, actions)
    report["routing_by_class"] = routing_by_class(truth, labels[:, 0], actions)
    return report, labels[:, 0]


def train_triage(
    features: pl.DataFrame,
    embeddings: pl.DataFrame | None,
    target: str,
    settings: ModelSettings,
) -> TriageTraining:
    own = settings.triage
    label = TARGETS[target]
    labelled = features.filter(pl.col(label).is_not_null())
    rows = {s: labelled.filter(pl.col("split") == s) for s in SPLITS}
    inputs = {s: triage_inputs(rows[s], embeddings, target) for s in SPLITS}
    y = {s: rows[s][label].to_numpy() for s in SPLITS}
    common = {
        "min_class_count": own.min_class_count,
        "target_precision": own.target_precision,
        "review_precision": own.review_precision,
        "seed": settings.seed,
    }
    model = TriageClassifier(**common, C=own.C, cat_features=known_fields(target))
    model.fit(**inputs["train"], y=y["train"]).calibrate(**inputs["valid"], y=y["valid"])
    tfidf = TfidfLinearBaseline(**common)
    text_only = {s: {"texts": inputs[s]["texts"]} for s in SPLITS}
    tfidf.fit(**text_only["train"], y=y["train"]).calibrate(**text_only["valid"], y=y["valid"])
    catboost = DefaultCatBoostBaseline(own.min_class_count, seed=settings.seed)
    catboost.fit(structured_fields(rows["train"], target), y["train"], fitted_by=model)

    report, top1 = _evaluate(model, inputs["test"], y["test"])
    tfidf_report, tfidf_top1 = _evaluate(tfidf, text_only["test"], y["test"])
    catboost_labels, catboost_confidences = catboost.predict_top_k(
        structured_fields(rows["test"], target)
    )
    metrics = {
        "model": report,
        "baselines": {
            "tfidf_linear": tfidf_report,
            "catboost_default": triage_report(
                catboost.fold_labels(y["test"]), catboost_labels, catboost_confidences
            ),
        },
        "classes": len(model.classes_),
        "folded_into_other": list(model.folded_classes_),
        "rows": {s: rows[s].height for s in SPLITS},
    }
    # One truth for all: each folds the same training labels with the same min_class_count.
    gate = triage_gate(
        model.fold_labels(y["test"]),
        top1,
        {"tfidf_linear": tfidf_top1, "catboost_default": catboost_labels[:, 0]},
        settings.seed,
        target,
    )
    return TriageTraining(target=target, model=model, metrics=metrics, gate=gate)
