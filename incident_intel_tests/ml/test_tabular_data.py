import polars as pl

from incident_intel.gold.features import (
    AFTER_TEST,
    CATEGORICAL_FEATURES,
    EXCLUDED,
    NUMERIC_FEATURES,
)
from incident_intel.ml.tabular_data import tabular_data


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
