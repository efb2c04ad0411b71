"""Triage's fast categoricals give what pandas and scikit-learn give, unknown values included."""

import numpy as np
import pandas as pd
from sklearn.preprocessing import OneHotEncoder

from incident_intel.ml.tabular import MISSING
from incident_intel.ml.triage.categoricals import categorical_columns, one_hot

FIELDS = ["priority", "location"]


def test_categoricals_are_strings_with_missing_for_nulls():
    cats = pd.DataFrame({"priority": [1, None, 3], "location": ["Lisbon", "Porto", None]})
    expected = cats[FIELDS].astype("string").fillna(MISSING).astype(object)
    columns = categorical_columns(cats, FIELDS)
    assert list(columns) == FIELDS
    for name in FIELDS:
        assert columns[name].dtype == object
        assert columns[name].tolist() == expected[name].tolist()


def test_categoricals_read_plain_arrays_as_frames():
    arrays = {"priority": np.array(["1", None], dtype=object), "location": np.array(["a", "b"])}
    from_arrays = categorical_columns(arrays, FIELDS)
    from_frame = categorical_columns(pd.DataFrame(arrays), FIELDS)
    assert {k: v.tolist() for k, v in from_arrays.items()} == {
        k: v.tolist() for k, v in from_frame.items()
    }


def test_one_hot_matches_the_encoder_and_leaves_unknown_values_empty():
    train = pd.DataFrame(
        categorical_columns(
            pd.DataFrame({"priority": ["1", "2", "3", "2"], "location": ["a", "b", None, "c"]}),
            FIELDS,
        ),
        dtype=object,
    )
    encoder = OneHotEncoder(handle_unknown="ignore", dtype=np.float32).fit(train)
    scored = categorical_columns(
        pd.DataFrame({"priority": ["2", "9", None], "location": ["zz", "c", "b"]}), FIELDS
    )
    ours = one_hot(encoder, scored)
    assert ours.dtype == np.float32
    expected = encoder.transform(pd.DataFrame(scored, dtype=object)).toarray()
    np.testing.assert_array_equal(ours.toarray(), expected)
    assert ours.toarray()[1].sum() == 1  # "9" is unknown: only its location is set
    empty = {name: values[:0] for name, values in scored.items()}
    assert one_hot(encoder, empty).shape == (0, ours.shape[1])
