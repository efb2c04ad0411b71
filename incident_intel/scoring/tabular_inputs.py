"""The model inputs of a tabular model bundle, built for incidents it has never seen."""

from __future__ import annotations

import pandas as pd
import polars as pl

from incident_intel.ml.tabular_data import embedding_matrix


def tabular_frame(
    bundle: dict, rows: pl.DataFrame, embeddings: pl.DataFrame | None
) -> pd.DataFrame:
    """`rows` as the frame a breach or resolution-time bundle was trained on.

    A feature column the rows lack (an extra field a request did not send) is missing for
    every row, as it is for an incident whose source left the field empty.
    """
    reducer = bundle["embedding_reducer"]
    text_columns = list(bundle["estimator"].embedding_columns)
    columns = [c for c in bundle["feature_columns"] if c not in text_columns]
    absent = [pl.lit(None).alias(c) for c in columns if c not in rows.columns]
    X = rows.with_columns(absent).select(columns).to_pandas()
    if reducer is None:
        return X
    if embeddings is None:
        raise ValueError("this model reads the incident text: pass the text embeddings")
    reduced = reducer.transform(embedding_matrix(rows, embeddings))
    text = pd.DataFrame(reduced, columns=text_columns, index=X.index)
    return pd.concat([X, text], axis=1)
