from datetime import UTC, datetime

from incident_intel.shadow.log import ShadowRow
from incident_intel.shadow.rows import shadow_rows

WHEN = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)
STAMP = "2026-01-06T09:30:00.000000+00:00"
VERSIONS = {"sla_breach_model": "b1", "resolution_time_model": "r1", "triage_model": "t1"}


def _record(breach, ttr, group, versions):
    return {
        "sys_id": "inc1",
        "breach_probability": breach,
        "ttr_hours": ttr,
        "assignment_group_suggestions": [{"label": group, "confidence": 0.9}] if group else [],
        "model_versions": versions,
    }


def test_each_candidate_model_logs_its_answer_beside_the_promoted_one():
    served = [_record(0.2, 10.0, "Network", VERSIONS)]
    shadow = [
        _record(0.3, 12.0, "Desktop", {**dict.fromkeys(VERSIONS), "sla_breach_model": "b2"})
        | {"ttr_hours": None, "assignment_group_suggestions": None}
    ]
    assert shadow_rows(served, shadow, WHEN) == [
        ShadowRow(
            STAMP,
            "inc1",
            "sla_breach_model",
            "b1",
            "b2",
            promoted_breach_probability=0.2,
            candidate_breach_probability=0.3,
        )
    ]


def test_triage_logs_a_row_per_target_and_a_missing_suggestion_as_none():
    served = [_record(0.2, 10.0, None, VERSIONS)]
    candidates = {"sla_breach_model": None, "resolution_time_model": "r2", "triage_model": "t2"}
    shadow = [_record(None, 11.5, "Desktop", candidates)]
    assert shadow_rows(served, shadow, WHEN) == [
        ShadowRow(
            STAMP,
            "inc1",
            "resolution_time_model",
            "r1",
            "r2",
            promoted_ttr_hours=10.0,
            candidate_ttr_hours=11.5,
        ),
        ShadowRow(
            STAMP,
            "inc1",
            "triage_model",
            "t1",
            "t2",
            triage_target="assignment_group",
            promoted_top1=None,
            candidate_top1="Desktop",
        ),
    ]


def test_a_candidate_promoted_before_the_shadow_ran_is_not_compared_with_itself():
    served = [_record(0.2, 10.0, "Network", VERSIONS)]
    shadow = [_record(0.2, 10.0, "Network", {**dict.fromkeys(VERSIONS), "sla_breach_model": "b1"})]
    assert shadow_rows(served, shadow, WHEN) == []
