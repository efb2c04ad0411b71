"""Triage's fast categoricals give what pandas and scikit-learn give, unknown values included."""

import numpy as np
import pandas as pd
from sklearn.preprocessing import OneHotEncoder

from incident_intel.ml.tabular import MISSING
from incident_intel.ml.triage.categoricals import categorical_frame, one_hot

FIELDS = ["priority", "location"]


def test_categoricals_are_strings_with_missing_for_nulls():
    cats = pd.DataFrame({"priority": [1, None, 3], "location": ["Lisbon", "Porto", None]})
    expected = cats[FIELDS].astype("string").fillna(MISSING).astype(object)
    frame = categorical_frame(cats, FIELDS)
    pd.testing.assert_frame_equal(frame, expected)
    assert frame.dtypes.tolist() == [object, object]


def test_one_hot_matches_the_encoder_and_leaves_unknown_values_empty():
    train = categorical_frame(
        pd.DataFrame({"priority": ["1", "2", "3", "2"], "location": ["a", "b", None, "c"]}), FIELDS
    )
    encoder = OneHotEncoder(handle_unknown="ignore", dtype=np.float32).fit(train)
    scored = categorical_frame(
        pd.DataFrame({"priority": ["2", "9", None], "location": ["zz", "c", "b"]}), FIELDS
    )
    ours = one_hot(encoder, scored)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours.toarray(), encoder.transform(scored).toarray())
    assert ours.toarray()[1].sum() == 1  # "9" is unknown: only its location is set
    assert one_hot(encoder, scored.iloc[:0]).shape == (0, ours.shape[1])
