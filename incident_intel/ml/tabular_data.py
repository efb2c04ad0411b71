"""Gold features (and optional text embeddings) as the frames the tabular models train on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
import polars as pl
from sklearn.decomposition import PCA

from incident_intel.gold.features import (
    CATEGORICAL_FEATURES,
    NUMERIC_FEATURES,
    extra_feature_columns,
)
from incident_intel.ml.recency import opened_days
from incident_intel.settings import CatBoostSettings

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class TabularData:
    """Per split: the rows (as polars, with labels) and the model inputs (as pandas)."""

    rows: dict[str, pl.DataFrame]
    X: dict[str, pd.DataFrame]
    cat_features: list[str]
    embedding_columns: list[str]
    reducer: PCA | None

    @property
    def tabular_columns(self) -> list[str]:
        """The input columns less the text-embedding components: what the baselines see."""
        return [c for c in self.X["train"].columns if c not in self.embedding_columns]

    def opened_days(self, split: str) -> np.ndarray:
        """When each incident of `split` was opened, in days, for recency weights."""
        return opened_days(self.rows[split]["opened_at"].to_numpy())

    def opened_window(self, split: str) -> dict[str, str | float]:
        """When `split`'s incidents were opened: the first, the last, and the days between."""
        opened = self.rows[split]["opened_at"]
        first, last = opened.min(), opened.max()
        return {
            "first_opened": str(first),
            "last_opened": str(last),
            "days": (last - first) / timedelta(days=1),
        }

    def past(self, columns: list[str]) -> pd.DataFrame:
        """Train and valid inputs together: everything opened before the test period."""
        return pd.concat([self.X["train"][columns], self.X["valid"][columns]])


def embedding_matrix(rows: pl.DataFrame, embeddings: pl.DataFrame) -> np.ndarray:
    """The embedding of each row, in row order; incidents without one get zeros."""
    joined = rows.select("sys_id").join(embeddings, on="sys_id", how="left", maintain_order="left")
    dimension = embeddings.schema["embedding"].size
    filled = joined.with_columns(
        pl.col("embedding").fill_null(
            pl.lit([0.0] * dimension, dtype=embeddings.schema["embedding"])
        )
    )
    return filled["embedding"].to_numpy().astype(np.float32)


def tabular_data(
    features: pl.DataFrame,
    label_filter: pl.Expr,
    embeddings: pl.DataFrame | None = None,
    components: int = 16,
    seed: int = 42,
) -> TabularData:
    """Split rows that satisfy `label_filter` by their `split`, and build model inputs.

    The inputs are the canonical features and the source's extra fields (`x_` columns, see
    `extra_feature_columns`), categorical and numeric; text extras are left to text models.
    """
    labelled = features.filter(label_filter)
    rows = {s: labelled.filter(pl.col("split") == s) for s in SPLITS}
    if rows["train"].is_empty() or rows["valid"].is_empty() or rows["test"].is_empty():
        counts = {s: rows[s].height for s in SPLITS}
        raise ValueError(f"every split needs labelled incidents, got {counts}")
    extra_categorical, extra_numeric, _ = extra_feature_columns(features)
    # An extra field the source never filled in training (the synthetic source fills none)
    # tells the models nothing.
    filled = rows["train"].select(pl.col(extra_categorical + extra_numeric).is_not_null().any())
    extras = [c for c in filled.columns if filled[c].item()]
    cat_features = [*CATEGORICAL_FEATURES, *(c for c in extra_categorical if c in extras)]
    columns = [*cat_features, *NUMERIC_FEATURES, *(c for c in extra_numeric if c in extras)]
    X = {s: rows[s].select(columns).to_pandas() for s in SPLITS}
    reducer = None
    embedding_columns: list[str] = []
    if embeddings is not None:
        components = min(components, rows["train"].height - 1)
        reducer = PCA(n_components=components, random_state=seed)
        reducer.fit(embedding_matrix(rows["train"], embeddings))
        embedding_columns = [f"text_pc{i}" for i in range(components)]
        for s in SPLITS:
            reduced = reducer.transform(embedding_matrix(rows[s], embeddings))
            X[s] = pd.concat(
                [X[s], pd.DataFrame(reduced, columns=embedding_columns, index=X[s].index)], axis=1
            )
    return TabularData(
        rows=rows,
        X=X,
        cat_features=cat_features,
        embedding_columns=embedding_columns,
        reducer=reducer,
    )


def model_bundle(estimator, data: TabularData) -> dict:
    """What scoring needs besides the estimator: the text reducer and the input columns."""
    return {
        "estimator": estimator,
        "embedding_reducer": data.reducer,
        "feature_columns": list(data.X["train"].columns),
        "cat_features": data.cat_features,
    }


def catboost_params(data: TabularData, own: CatBoostSettings, seed: int) -> dict:
    """The constructor arguments both CatBoost models take: columns and shared settings."""
    return {
        "cat_features": data.cat_features,
        "embedding_columns": data.embedding_columns,
        "iterations": own.iterations,
        "learning_rate": own.learning_rate,
        "depth": own.depth,
        "seed": seed,
    }
