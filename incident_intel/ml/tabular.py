"""Preparing pandas frames of incident features for CatBoost and the linear baselines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from catboost import Pool

MISSING = "__missing__"


def prepare_frame(
    X: pd.DataFrame, cat_features: Sequence[str], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """Categoricals as strings with MISSING for nulls, other columns as floats.

    With `columns` (the training columns) the frame is reordered to match and a missing column
    is an error, since CatBoost matches features by position.
    """
    if columns is not None:
        absent = [c for c in columns if c not in X.columns]
        if absent:
            raise ValueError(f"missing feature columns: {absent}")
        X = X[list(columns)]
    unknown = [c for c in cat_features if c not in X.columns]
    if unknown:
        raise ValueError(f"categorical features not in the frame: {unknown}")
    out = {}
    # Column by column through numpy: pandas' per-call overhead, not the data, is most of the
    # time of a frame of one incident, which is what the scoring API prepares.
    for column in X.columns:
        if column in cat_features:
            values = X[column].to_numpy(dtype=object)
            out[column] = np.where(pd.isna(values), MISSING, values.astype(str)).astype(object)
        else:
            try:
                out[column] = X[column].to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"column {column!r} is not numeric; list it in cat_features"
                ) from error
    return pd.DataFrame(out, index=X.index)


def catboost_pool(
    X: pd.DataFrame, cat_features: Sequence[str], columns: Sequence[str] | None = None, label=None
) -> Pool:
    """A CatBoost Pool of `X` as `prepare_frame` makes it, its categoricals declared."""
    return Pool(
        prepare_frame(X, cat_features, columns), label=label, cat_features=list(cat_features)
    )


def default_catboost(model_class, seed: int, **params):
    """A `model_class` as a user gets it: library defaults, seeded, quiet, writing no files.

    Neither switch changes what is learnt: `verbose` only logs and `allow_writing_files` would
    leave a catboost_info directory in the working directory of every run. `params` are any
    departures from the defaults, which the caller justifies.
    """
    return model_class(random_seed=seed, verbose=False, allow_writing_files=False, **params)


def priority_keys(X: pd.DataFrame, column: str) -> pd.Series:
    """The priority column as the string keys the baselines group by."""
    return prepare_frame(X[[column]], [column])[column]
