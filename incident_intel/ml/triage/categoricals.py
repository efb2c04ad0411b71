"""Triage's categorical fields: as strings, and one-hot encoded, for one incident as for many.

Both avoid pandas' and scikit-learn's per-call checks, which were most of the time of a
one-incident request in the scoring API.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.preprocessing import OneHotEncoder

from incident_intel.ml.tabular import MISSING


def categorical_frame(cats: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """`fields` of `cats` as strings (object dtype), MISSING for nulls."""
    columns = []
    for name in fields:
        values = cats[name].to_numpy(dtype=object)
        columns.append(np.where(pd.isna(values), MISSING, values.astype(str)))
    return pd.DataFrame(
        np.column_stack(columns), columns=list(fields), index=cats.index, dtype=object
    )


def one_hot(encoder: OneHotEncoder, frame: pd.DataFrame) -> sparse.csr_matrix:
    """What `encoder.transform(frame)` gives for an encoder fitted with
    handle_unknown="ignore" (an unknown value is all zeros), looked up directly in its sorted
    categories."""
    rows, columns, offset = [], [], 0
    for j, categories in enumerate(encoder.categories_):
        values = frame.iloc[:, j].to_numpy(dtype=object)
        found = np.searchsorted(categories, values).clip(max=len(categories) - 1)
        known = np.flatnonzero(categories[found] == values)
        rows.append(known)
        columns.append(found[known] + offset)
        offset += len(categories)
    rows, columns = np.concatenate(rows), np.concatenate(columns)
    ones = np.ones(len(rows), dtype=encoder.dtype)
    return sparse.csr_matrix((ones, (rows, columns)), shape=(len(frame), offset))
