"""The incidents open at the end of each day of a window, stacked: the population the open
incident view scores, rebuilt for the period a model learnt from.

The view scores, each day, the incidents still open when the day ends. That is not a sample of
the incidents opened: a slow incident stays in it for every day it is open, so the slow
categories, the low priorities and the likely breaches weigh more than they do among the
incidents opened. Compared with the incidents a model trained on, the view would drift on its
first day. Compared with the training period's own end-of-day backlogs, stacked, it drifts only
when the incidents do.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

# A day's backlog leans on the days just before it, so the weekday its incidents opened on says
# which day is being scored, not how incidents changed: its PSI would be large every day.
CALENDAR_FEATURES = ("opened_weekday",)


def _open_span(rows: pl.DataFrame, first: date, last: date) -> pl.DataFrame:
    """Per row, the first day-end of the window it was open at, and how many in a row."""
    resolved = pl.col("opened_at") + pl.duration(
        microseconds=(pl.col("ttr_hours") * 3.6e9).round().cast(pl.Int64)
    )
    # Open at the end of day d: predicted before d ended, and resolved on d + 1 or later.
    first_open = pl.max_horizontal(pl.col("predict_at").dt.date(), pl.lit(first))
    last_open = pl.min_horizontal(
        (resolved.dt.date() - pl.duration(days=1)).fill_null(pl.lit(last)), pl.lit(last)
    )
    days = ((last_open - first_open).dt.total_days() + 1).clip(lower_bound=0)
    if "is_closed" in rows.columns:
        # Closed with no resolution (cancelled, say): when it left the backlog is unknown, and
        # counting it open to the window's end would pile it on every later day-end.
        unresolved_closed = pl.col("ttr_hours").is_null() & pl.col("is_closed")
        days = pl.when(unresolved_closed).then(0).otherwise(days)
    return rows.select(first_open.alias("first_open"), days.alias("days"))


def open_day_ends(rows: pl.DataFrame, first: date, last: date) -> np.ndarray:
    """For each row, how many days from `first` to `last` it was open at the end of: its
    prediction time had passed and it was not yet resolved.

    Rows are shaped like gold/incident_features. The resolution time is the final record's
    (`opened_at` + `ttr_hours`); an incident without one is open to the end of the window,
    unless `is_closed` says it was closed unresolved: then it counts on no day-end.
    """
    return _open_span(rows, first, last)["days"].to_numpy()


def stacked_day_ends(rows: pl.DataFrame, first: date, last: date) -> np.ndarray:
    """The day-end each row of `stacked(rows, open_day_ends(rows, first, last))` stands for,
    in the same order, as numpy dates."""
    span = _open_span(rows, first, last)
    days = span["days"].to_numpy()
    starts = span["first_open"].to_numpy().astype("datetime64[D]")
    # Within a row's copies, the k-th is k days after its first open day-end.
    offsets = np.arange(days.sum()) - np.repeat(np.cumsum(days) - days, days)
    return np.repeat(starts, days) + offsets.astype("timedelta64[D]")


def stacked(frame: pl.DataFrame, repeats: np.ndarray) -> pl.DataFrame:
    """Each row of `frame` `repeats` times, in order."""
    return frame.select(pl.all().gather(np.repeat(np.arange(frame.height), repeats)))
