"""The model inputs of a tabular model bundle, built for incidents it has never seen."""

from __future__ import annotations

import numpy as np
import polars as pl


def tabular_columns(
    bundle: dict, rows: pl.DataFrame, embeddings: np.ndarray | None
) -> dict[str, np.ndarray]:
    """`rows` as the columns a breach or resolution-time bundle was trained on, as arrays;
    `embeddings` is their text embedding matrix (`ml.tabular_data.embedding_matrix`).

    A feature column the rows lack (an extra field a request did not send) is missing for
    every row, as it is for an incident whose source left the field empty.
    """
    reducer = bundle["embedding_reducer"]
    text_columns = list(bundle["estimator"].embedding_columns)
    columns = {
        name: rows[name].to_numpy() if name in rows.columns else np.full(rows.height, None)
        for name in bundle["feature_columns"]
        if name not in text_columns
    }
    if reducer is None:
        return columns
    if embeddings is None:
        raise ValueError("this model reads the incident text: pass the text embeddings")
    reduced = reducer.transform(embeddings)
    return columns | {name: reduced[:, i] for i, name in enumerate(text_columns)}
