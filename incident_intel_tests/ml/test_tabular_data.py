"""The tabular models' inputs: canonical features plus the source's extra fields."""

from datetime import datetime, timedelta

import numpy as np
import polars as pl

from incident_intel.gold.features import (
    AFTER_TEST,
    CATEGORICAL_FEATURES,
    EXCLUDED,
    NUMERIC_FEATURES,
)
from incident_intel.ml.breach.baselines import DefaultCatBoostBaseline
from incident_intel.ml.tabular_data import tabular_data

N = 60


def _features() -> pl.DataFrame:
    rng = np.random.default_rng(0)
    symptom = rng.choice(["Symptom 1", "Symptom 2"], N)
    return pl.DataFrame(
        {
            **{c: rng.choice(["a", "b"], N) for c in CATEGORICAL_FEATURES},
            **{c: rng.integers(0, 5, N) for c in NUMERIC_FEATURES},
            "x_u_symptom": pl.Series(symptom, dtype=pl.Categorical),
            "x_effort": rng.normal(5, 1, N),
            "x_u_notes": ["free text"] * N,
            "x_never_filled": pl.Series([None] * N, dtype=pl.Categorical),
            "sla_breached": symptom == "Symptom 2",
            "split": ["train"] * 40 + ["valid"] * 10 + ["test"] * 10,
        }
    )


def test_extra_categorical_and_numeric_fields_are_model_inputs():
    data = tabular_data(_features(), pl.col("sla_breached").is_not_null())
    assert data.cat_features == [*CATEGORICAL_FEATURES, "x_u_symptom"]
    assert list(data.X["train"].columns) == [
        *CATEGORICAL_FEATURES,
        "x_u_symptom",
        *NUMERIC_FEATURES,
        "x_effort",
    ]
    model = DefaultCatBoostBaseline(data.cat_features, seed=0).fit(
        data.X["train"], data.rows["train"]["sla_breached"].to_numpy()
    )
    assert model.predict_proba(data.X["test"]).shape == (10, 2)


def test_only_train_valid_and_test_reach_the_models():
    splits = ["train"] * 4 + ["valid"] * 2 + ["test"] * 2 + [AFTER_TEST] * 3 + [EXCLUDED]
    features = pl.DataFrame(
        {
            **{c: ["x"] * len(splits) for c in CATEGORICAL_FEATURES},
            **{c: [1] * len(splits) for c in NUMERIC_FEATURES},
            "split": splits,
            "sla_breached": [True, False] * (len(splits) // 2),
        }
    )
    data = tabular_data(features, pl.col("sla_breached").is_not_null())
    assert {s: rows.height for s, rows in data.rows.items()} == {"train": 4, "valid": 2, "test": 2}
    assert sum(len(X) for X in data.X.values()) == 8


def test_the_opened_window_spans_a_splits_first_and_last_incident():
    features = _features().with_columns(
        opened_at=pl.datetime_range(
            datetime(2026, 1, 1),
            datetime(2026, 1, 1) + timedelta(hours=6 * (N - 1)),
            "6h",
            eager=True,
        )
    )
    window = tabular_data(features, pl.col("sla_breached").is_not_null()).opened_window("test")
    # The last 10 of 60 incidents, 6 hours apart: from hour 300 to hour 354.
    assert window == {
        "first_opened": "2026-01-13 12:00:00",
        "last_opened": "2026-01-15 18:00:00",
        "days": 2.25,
    }
