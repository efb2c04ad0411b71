from datetime import UTC, date, datetime

import numpy as np
import polars as pl
import pytest

from incident_intel.monitoring.backlog import open_day_ends, stacked, stacked_day_ends

FIRST, LAST = date(2026, 1, 1), date(2026, 1, 10)


def at(day: int, hour: int = 0, month: int = 1, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("opened", "predicted", "ttr_hours", "days"),
    [
        (at(5, 10), at(5, 10), 30.0, 1),  # resolved on the 6th: open when the 5th ended only
        (at(5, 10), at(5, 10), 5.0, 0),  # resolved the day it opened
        (at(8, 10), at(8, 10), None, 3),  # never resolved: open to the window's end
        (at(30, 12, 12, 2025), at(30, 12, 12, 2025), 89.0, 2),  # opened before the window
        (at(5, 23), at(6, 1), 49.0, 2),  # predicted the next day: the 5th does not count
        (at(6, 0), at(6, 0), 24.0, 1),  # resolved on the stroke of midnight: still open then
        (at(9, 10), at(9, 10), 500.0, 2),  # resolved after the window
    ],
    ids=[
        "next-day",
        "same-day",
        "never",
        "before-window",
        "horizon",
        "midnight",
        "after-window",
    ],
)
def test_day_ends_an_incident_was_open_at(opened, predicted, ttr_hours, days):
    rows = pl.DataFrame(
        {"opened_at": [opened], "predict_at": [predicted], "ttr_hours": [ttr_hours]},
        schema_overrides={"ttr_hours": pl.Float64},
    )
    assert open_day_ends(rows, FIRST, LAST).tolist() == [days]


def test_stacking_repeats_each_row_in_order():
    frame = pl.DataFrame({"x": ["a", "b", "c"]})
    assert stacked(frame, [2, 0, 1])["x"].to_list() == ["a", "a", "c"]


def test_an_incident_closed_unresolved_counts_on_no_day_end():
    rows = pl.DataFrame(
        {
            "opened_at": [at(3, 10)] * 3,
            "predict_at": [at(3, 10)] * 3,
            "ttr_hours": [None, None, 30.0],
            "is_closed": [True, False, True],
        },
        schema_overrides={"ttr_hours": pl.Float64},
    )
    # Cancelled; still open; resolved on the 4th and closed.
    assert open_day_ends(rows, FIRST, LAST).tolist() == [0, 8, 1]


def test_each_stacked_row_knows_the_day_end_it_stands_for():
    rows = pl.DataFrame(
        {
            "opened_at": [at(8, 10), at(1, 10), at(5, 10)],
            "predict_at": [at(8, 10), at(1, 10), at(5, 10)],
            "ttr_hours": [None, 5.0, 30.0],
        },
        schema_overrides={"ttr_hours": pl.Float64},
    )
    days = stacked_day_ends(rows, FIRST, LAST)
    expected = ["2026-01-08", "2026-01-09", "2026-01-10", "2026-01-05"]
    assert days.tolist() == np.array(expected, dtype="datetime64[D]").tolist()
    assert len(days) == stacked(rows, open_day_ends(rows, FIRST, LAST)).height
