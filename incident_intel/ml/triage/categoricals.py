"""Triage's categorical fields: as strings, and one-hot encoded, for one incident as for many.

Both avoid pandas' and scikit-learn's per-call checks, which were most of the time of a
one-incident request in the scoring API.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.preprocessing import OneHotEncoder

from incident_intel.ml.tabular import Columns, prepared_columns, row_count


def categorical_columns(cats: Columns, fields: Sequence[str]) -> dict[str, np.ndarray]:
    """`fields` of `cats` as strings (object arrays), MISSING for nulls."""
    return prepared_columns(cats, fields, fields)


def one_hot(encoder: OneHotEncoder, columns: Columns) -> sparse.csr_matrix:
    """What `encoder.transform(columns)` gives for an encoder fitted on a frame with
    handle_unknown="ignore" (an unknown value is all zeros), looked up directly in its sorted
    categories."""
    rows, positions, offset = [], [], 0
    for name, categories in zip(encoder.feature_names_in_, encoder.categories_, strict=True):
        values = np.asarray(columns[name], dtype=object)
        found = np.searchsorted(categories, values).clip(max=len(categories) - 1)
        known = np.flatnonzero(categories[found] == values)
        rows.append(known)
        positions.append(found[known] + offset)
        offset += len(categories)
    rows, positions = np.concatenate(rows), np.concatenate(positions)
    ones = np.ones(len(rows), dtype=encoder.dtype)
    return sparse.csr_matrix((ones, (rows, positions)), shape=(row_count(columns), offset))
