from datetime import UTC, datetime, timedelta

import pytest

from incident_intel.feedback.table import (
    FEEDBACK_SCHEMA,
    feedback_frame,
    latest_feedback,
    read_feedback,
    value_text,
)

T0 = datetime(2026, 2, 1, tzinfo=UTC)


def _us(minutes: int) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp()) * 1_000_000


@pytest.mark.parametrize(
    ("value", "text"), [(True, "true"), (False, "false"), (4.0, "4.0"), (0.1, "0.1"), ("Db", "Db")]
)
def test_values_are_stored_as_text_that_reads_back_exactly(value, text):
    assert value_text(value) == text


def test_the_latest_feedback_per_incident_and_field_wins():
    received = feedback_frame(
        [
            ("f-1", "a", None, "category", "network", None, None, _us(2)),
            ("f-2", "a", None, "category", "database", None, None, _us(5)),
            ("f-3", "a", None, "ttr_hours", "3.0", None, None, _us(1)),
            ("f-4", None, "INC7", "category", "storage", None, None, _us(3)),
            ("f-5", None, "INC7", "category", "email", None, None, _us(0)),
        ]
    )
    latest = latest_feedback(received)
    assert latest.schema == FEEDBACK_SCHEMA
    assert sorted(latest.select("feedback_id", "value").rows()) == [
        ("f-2", "database"),
        ("f-3", "3.0"),
        ("f-4", "storage"),
    ]


def test_no_feedback_file_reads_as_an_empty_typed_table(tmp_path):
    frame = read_feedback(tmp_path / "absent.parquet")
    assert frame.is_empty() and frame.schema == FEEDBACK_SCHEMA
