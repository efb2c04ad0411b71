"""Incident archetypes: clusters of text embeddings and key fields, with profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from incident_intel.gold.embedding_cache import incident_text
from incident_intel.ml.archetypes.estimator import IncidentArchetypes
from incident_intel.ml.tabular_data import embedding_matrix
from incident_intel.settings import ModelSettings


@dataclass(frozen=True)
class ClusterTraining:
    model: IncidentArchetypes
    metrics: dict[str, Any]


def cluster_frame(rows: pl.DataFrame) -> pd.DataFrame:
    """The fields the archetypes use and profile: text, final labels, priority and outcomes."""
    return rows.select(
        incident_text(pl.col("short_description"), pl.col("description")).alias("text"),
        pl.col("final_category").alias("category"),
        pl.col("final_assignment_group").alias("assignment_group"),
        "priority",
        "sla_breached",
        "ttr_hours",
    ).to_pandas()


def train_clusters(
    features: pl.DataFrame, embeddings: pl.DataFrame, settings: ModelSettings
) -> ClusterTraining:
    own = settings.clusters
    fit_rows = features.filter(pl.col("split").is_in(["train", "valid"]))
    test_rows = features.filter(pl.col("split") == "test")
    model = IncidentArchetypes(
        k_range=(own.k_min, own.k_max),
        cat_weight=own.categorical_weight,
        silhouette_sample=own.silhouette_sample,
        seed=settings.seed,
    ).fit(embedding_matrix(fit_rows, embeddings), cluster_frame(fit_rows))
    assigned = model.predict(embedding_matrix(test_rows, embeddings), cluster_frame(test_rows))
    test_share = np.bincount(assigned, minlength=model.k_) / max(len(assigned), 1)
    profiles = model.profiles_.assign(test_share=test_share)
    metrics = {
        **model.summary(),
        "silhouette_by_k": {str(k): v for k, v in model.silhouette_by_k_.items()},
        "profiles": profiles.to_dict(orient="records"),
        "rows": {"fit": fit_rows.height, "assigned_test": test_rows.height},
    }
    return ClusterTraining(model=model, metrics=metrics)
