from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from incident_intel.feedback.overrides import apply_label_overrides
from incident_intel.feedback.table import empty_feedback, feedback_frame, value_text

T0 = datetime(2026, 2, 1, tzinfo=UTC)
NO_OVERRIDES = {
    "overrides": 0,
    "by_field": {"assignment_group": 0, "category": 0, "sla_breached": 0, "ttr_hours": 0},
}


@pytest.fixture
def features() -> pl.DataFrame:
    """Three incidents as gold holds them: the third still open, without outcomes."""
    return pl.DataFrame(
        {
            "sys_id": ["s1", "s2", "s3"],
            "number": ["INC1", "INC2", "INC3"],
            "priority": ["3", "2", "4"],
            "final_assignment_group": ["Service Desk", "Network", None],
            "final_category": ["inquiry", "network", "software"],
            "sla_breached": [False, True, None],
            "ttr_hours": [5.0, 30.0, None],
            "split": ["train", "valid", "test"],
        }
    )


def _feedback(*rows: tuple) -> pl.DataFrame:
    """(sys_id, number, field, value, minutes after T0) per row, as silver/feedback holds it."""
    return feedback_frame(
        [
            (f"f-{i}", sys_id, number, field, value_text(value), None, None, _us(minutes))
            for i, (sys_id, number, field, value, minutes) in enumerate(rows)
        ]
    )


def _us(minutes: int) -> int:
    return int((T0 + timedelta(minutes=minutes)).timestamp()) * 1_000_000


def test_no_feedback_changes_nothing(features):
    overridden, overrides = apply_label_overrides(features, empty_feedback())
    assert overridden.equals(features)
    assert overrides.card() == NO_OVERRIDES


def test_feedback_overrides_each_label_by_sys_id_or_number(features):
    feedback = _feedback(
        ("s1", None, "assignment_group", "Database", 0),
        (None, "INC2", "category", "hardware", 1),
        (None, "INC3", "sla_breached", True, 2),
        ("s3", None, "ttr_hours", 52.5, 3),
    )
    overridden, overrides = apply_label_overrides(features, feedback)
    assert overridden.schema == features.schema
    assert overridden["final_assignment_group"].to_list() == ["Database", "Network", None]
    assert overridden["final_category"].to_list() == ["inquiry", "hardware", "software"]
    assert overridden["sla_breached"].to_list() == [False, True, True]
    assert overridden["ttr_hours"].to_list() == [5.0, 30.0, 52.5]
    assert overridden.drop(
        "final_assignment_group", "final_category", "sla_breached", "ttr_hours"
    ).equals(features.drop("final_assignment_group", "final_category", "sla_breached", "ttr_hours"))
    assert overrides.card() == {
        "overrides": 4,
        "by_field": {"assignment_group": 1, "category": 1, "sla_breached": 1, "ttr_hours": 1},
    }


def test_the_newest_feedback_on_a_label_wins_whichever_name_it_used(features):
    feedback = _feedback(
        ("s2", None, "category", "hardware", 5),
        (None, "INC2", "category", "database", 9),
        ("s2", None, "category", "storage", 7),
    )
    overridden, overrides = apply_label_overrides(features, feedback)
    assert overridden["final_category"].to_list() == ["inquiry", "database", "software"]
    assert overrides.applied.rows() == [("s2", "category", "database")]


def test_feedback_on_incidents_the_features_lack_overrides_nothing(features):
    feedback = _feedback(
        ("s9", None, "category", "hardware", 0), (None, "INC9", "sla_breached", False, 1)
    )
    overridden, overrides = apply_label_overrides(features, feedback)
    assert overridden.equals(features)
    assert overrides.card() == NO_OVERRIDES


def test_a_number_two_incidents_share_matches_neither(features):
    twins = features.with_columns(pl.lit("INC1").alias("number"))
    overridden, _ = apply_label_overrides(twins, _feedback((None, "INC1", "category", "x", 0)))
    assert overridden.equals(twins)
