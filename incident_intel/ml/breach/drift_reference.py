"""The breach model's drift reference: what the open-incident view would have shown it during
its own training and test periods."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import polars as pl

from incident_intel.ml.breach.estimator import SlaBreachClassifier
from incident_intel.ml.tabular_data import TabularData
from incident_intel.monitoring.backlog import (
    CALENDAR_FEATURES,
    open_day_ends,
    stacked,
    stacked_day_ends,
)
from incident_intel.monitoring.reference import DriftReference

# The input reference covers the end of the training period only: a lake's first weeks are
# its warm-up (their backlogs count only incidents opened since the first day pulled, so they
# start from zero), and the open incidents of today are compared with the recent past.
REFERENCE_DAYS = 14


def _window(rows: pl.DataFrame, days: int | None = None) -> tuple[date, date]:
    first, last = rows["predict_at"].min().date(), rows["opened_at"].max().date()
    return (first if days is None else max(first, last - timedelta(days=days - 1))), last


def breach_drift_reference(
    model: SlaBreachClassifier, data: TabularData, min_day_rows: int
) -> DriftReference:
    """Profiles of the model's tabular inputs and of its risk, each over end-of-day backlogs.

    Inputs: the incidents it learnt from (train and valid), stacked over every day-end of the
    last REFERENCE_DAYS of that period they were open at (`monitoring.backlog` says why a
    backlog and not the incidents opened), less the text components and the calendar. Risk:
    the model's predictions for the incidents open at each day-end of its test period, stacked
    the same way. Like the view's after training, those backlogs mix incidents new to the model
    with older ones it learnt from that are still open, and are scored by this very model,
    calibrated. Each stacked row keeps the day-end it stands for, so that the reference also
    knows how far one day moves from the others with nothing changed, over the days of at
    least `min_day_rows` rows (the checks judge no smaller day).
    """
    past = pl.concat([data.rows["train"], data.rows["valid"]])
    columns = [c for c in data.tabular_columns if c not in CALENDAR_FEATURES]
    input_window = _window(past, REFERENCE_DAYS)
    inputs = stacked(past.select(columns), open_day_ends(past, *input_window))

    everyone = pl.concat([past, data.rows["test"]])
    X = pd.concat([data.X["train"], data.X["valid"], data.X["test"]])
    risk = model.predict_proba(X)[:, 1]
    test_window = _window(data.rows["test"])
    return DriftReference.build(
        inputs,
        [c for c in data.cat_features if c in columns],
        np.repeat(risk, open_day_ends(everyone, *test_window)),
        feature_days=stacked_day_ends(past, *input_window),
        risk_days=stacked_day_ends(everyone, *test_window),
        min_day_rows=min_day_rows,
    )
