"""Preparing incident features for CatBoost and the linear baselines: pandas frames for
training, plain column arrays for scoring a few incidents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from catboost import Pool

MISSING = "__missing__"


# A model's inputs column by column: a pandas frame, or a mapping of names to equally long
# arrays, which is what scoring builds for a few incidents without paying for pandas.
Columns = pd.DataFrame | Mapping[str, np.ndarray]


def row_count(X: Columns) -> int:
    return len(X) if isinstance(X, pd.DataFrame) else len(next(iter(X.values()), ()))


def prepared_columns(
    X: Columns, cat_features: Sequence[str], columns: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Categoricals as strings with MISSING for nulls, other columns as floats.

    With `columns` (the training columns) they come in that order and a missing column is an
    error, since CatBoost matches features by position.
    """
    names = list(X.columns if isinstance(X, pd.DataFrame) else X) if columns is None else columns
    absent = [c for c in names if c not in X]
    if absent:
        raise ValueError(f"missing feature columns: {absent}")
    unknown = [c for c in cat_features if c not in names]
    if unknown:
        raise ValueError(f"categorical features not in the frame: {unknown}")
    out = {}
    # Column by column through numpy: pandas' per-call overhead, not the data, is most of the
    # time of a frame of one incident, which is what the scoring API prepares.
    for column in names:
        if column in cat_features:
            values = np.asarray(X[column], dtype=object)
            out[column] = np.where(pd.isna(values), MISSING, values.astype(str)).astype(object)
        else:
            try:
                out[column] = _floats(X[column])
            except (TypeError, ValueError) as error:
                raise ValueError(
                    f"column {column!r} is not numeric; list it in cat_features"
                ) from error
    return out


def _floats(values: pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=float, na_value=np.nan)
    if values.dtype.kind in "biuf":
        return values.astype(float)
    return np.where(pd.isna(values), np.nan, values).astype(float)


def prepare_frame(
    X: Columns, cat_features: Sequence[str], columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """`prepared_columns` as a frame, with X's index where X has one."""
    index = X.index if isinstance(X, pd.DataFrame) else None
    return pd.DataFrame(prepared_columns(X, cat_features, columns), index=index)


def catboost_pool(
    X: pd.DataFrame, cat_features: Sequence[str], columns: Sequence[str] | None = None, label=None
) -> Pool:
    """A CatBoost Pool of `X` as `prepare_frame` makes it, its categoricals declared."""
    return Pool(
        prepare_frame(X, cat_features, columns), label=label, cat_features=list(cat_features)
    )


def prediction_pool(X: Columns, cat_features: Sequence[str], columns: Sequence[str]) -> Pool:
    """The unlabelled Pool of `catboost_pool`, from a matrix of Python values.

    CatBoost reads the same values either way; from a matrix it skips the frame's checks,
    which took over a millisecond of each one-incident request, ten times the prediction.
    """
    prepared = prepared_columns(X, cat_features, columns)
    matrix = np.empty((row_count(X), len(columns)), dtype=object)
    for j, values in enumerate(prepared.values()):
        matrix[:, j] = values
    categorical = set(cat_features)
    return Pool(matrix, cat_features=[j for j, c in enumerate(columns) if c in categorical])


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
