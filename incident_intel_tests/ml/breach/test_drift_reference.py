"""The breach model's drift reference, on a ten-day history a day-end at a time."""

from datetime import UTC, datetime

import numpy as np
import polars as pl

from incident_intel.gold.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from incident_intel.ml.breach.drift_reference import breach_drift_reference
from incident_intel.ml.tabular_data import tabular_data
from incident_intel.monitoring.backlog import CALENDAR_FEATURES

SPLITS = ["train"] * 6 + ["valid"] * 2 + ["test"] * 2


class RiskByRow:
    """A stand-in model: the risk of the i-th row it is shown is i / 100."""

    def predict_proba(self, X):
        risk = np.arange(len(X)) / 100
        return np.column_stack([1 - risk, risk])


def test_inputs_and_risk_are_profiled_over_their_periods_backlogs():
    opened = [datetime(2026, 1, day, 10, tzinfo=UTC) for day in range(1, 11)]
    # One incident a day, each resolved the next afternoon, but the fifth: never resolved.
    ttr = [30.0] * 10
    ttr[4] = None
    features = pl.DataFrame(
        {
            **{c: ["a", "b"] * 5 for c in CATEGORICAL_FEATURES},
            **{c: list(range(10)) for c in NUMERIC_FEATURES},
            "opened_at": opened,
            "predict_at": opened,
            "ttr_hours": ttr,
            "sla_breached": [True, False] * 5,
            "split": SPLITS,
        },
        schema_overrides={"ttr_hours": pl.Float64},
    )
    data = tabular_data(features, pl.col("sla_breached").is_not_null())
    reference = breach_drift_reference(RiskByRow(), data, min_day_rows=1)

    # Training period (days 1-8): seven incidents open one day-end each, the fifth four (5-8).
    assert reference.feature_rows == 7 + 4
    assert set(reference.features) == set(data.tabular_columns) - set(CALENDAR_FEATURES)
    # Test period (days 9-10): each test incident on its own day-end, the fifth on both.
    assert reference.risk_rows == 2 + 2
    share_of_fifth = reference.risk.shares(pl.Series([0.04]))
    assert reference.risk.proportions[share_of_fifth.index(1.0)] == 0.5
    # Each day-end of the training period is compared with the others, each of the test's too.
    assert set(reference.usual) == set(reference.features)
    assert reference.risk_usual > 0 and max(reference.usual.values()) > 0
    assert breach_drift_reference(RiskByRow(), data, min_day_rows=3).risk_usual == 0
