"""The shadow comparison's figures on a hand-made log."""

import polars as pl
import pytest

from incident_intel.reports.shadow_comparison import (
    AlertAgreement,
    compare_versions,
    comparison_headlines,
)
from incident_intel.reports.shadow_comparison_markdown import NOTHING_YET, markdown_report
from incident_intel.shadow.log import SHADOW_SCHEMA
from incident_intel_tests.reports.shadow_log_support import (
    BREACH,
    BREACH_THRESHOLDS,
    TRIAGE,
    TTR,
    hand_made_log,
)


@pytest.fixture(scope="module")
def report():
    return compare_versions(hand_made_log(), {"p1": BREACH_THRESHOLDS})


def _pair(report, model, candidate):
    [pair] = [p for p in report.pairs if p.model == model and p.candidate_version == candidate]
    return pair


def test_each_pair_of_versions_is_compared_apart(report):
    assert report.rows_logged == 13
    assert [(p.model, p.promoted_version, p.candidate_version) for p in report.pairs] == [
        (TTR, "r1", "r2"),
        (BREACH, None, "c0"),
        (BREACH, "p1", "c1"),
        (TRIAGE, "t1", "t2"),
    ]


def test_breach_risks_compare_on_the_incidents_both_versions_scored(report):
    breach = _pair(report, BREACH, "c1")
    assert breach.incidents_scored == 5 and breach.breach.compared == 4
    # |differences| 0.1, 0.1, 0.15, 0.1; the candidate swaps the middle two ranks.
    assert breach.breach.mean_abs_risk_difference == pytest.approx(0.1125)
    assert breach.breach.spearman == pytest.approx(0.8)


def test_alerts_agree_where_both_versions_fall_on_the_same_side_of_a_threshold(report):
    alerts = _pair(report, BREACH, "c1").breach.alerts
    assert alerts == [
        AlertAgreement("max_f1", 0.5, 0.5, 0.5, 0.5),
        AlertAgreement("top_fraction", 0.85, 0.25, 0.0, 0.75),
    ]


def test_a_pair_with_nothing_promoted_is_scored_but_not_compared(report):
    early = _pair(report, BREACH, "c0")
    assert early.incidents_scored == 1 and early.breach.compared == 0
    assert early.breach.mean_abs_risk_difference is None and early.breach.spearman is None
    assert early.breach.alerts == []


def test_resolution_times_compare_by_medians(report):
    ttr = _pair(report, TTR, "r2").resolution_time
    assert ttr.compared == 3
    assert ttr.median_abs_difference_hours == 2.0
    assert ttr.ratio_of_medians == pytest.approx(18 / 20)


def test_triage_agreement_is_per_target(report):
    triage = _pair(report, TRIAGE, "t2")
    assert triage.incidents_scored == 3
    assert [(t.target, t.compared) for t in triage.triage] == [
        ("assignment_group", 3),
        ("category", 1),
    ]
    assert triage.triage[0].top1_agreement == pytest.approx(2 / 3)
    assert triage.triage[1].top1_agreement == 1.0


def test_headline_figures_are_each_models_latest_pair(report):
    figures = comparison_headlines(report)
    assert figures[f"{BREACH}_mean_abs_risk_difference"] == pytest.approx(0.1125)
    assert figures[f"{BREACH}_alert_agreement_at_top_fraction"] == 0.75
    assert figures[f"{TTR}_ratio_of_medians"] == pytest.approx(0.9)
    assert figures[f"{TRIAGE}_top1_agreement_category"] == 1.0
    assert all(isinstance(value, float) for value in figures.values())


def test_the_markdown_has_a_section_per_model_and_says_when_there_is_nothing(report):
    text = markdown_report(report)
    for heading in ("## SLA breach", "## Resolution time", "## Triage"):
        assert heading in text
    assert "| p1 | c1 | 5 |" in text and "| none | c0 | 1 |" in text
    empty = markdown_report(compare_versions(pl.DataFrame(schema=SHADOW_SCHEMA), {}))
    assert NOTHING_YET in empty and "|" not in empty
