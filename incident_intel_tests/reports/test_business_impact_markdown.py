"""The business impact report in markdown: the assumptions first, then a table per strategy."""

from incident_intel.reports.business_impact import breach_model_impact
from incident_intel.reports.business_impact_markdown import markdown_report
from incident_intel.settings import BusinessImpactSettings
from incident_intel_tests.reports.support import breach_summary


def _markdown(**changes) -> str:
    settings = BusinessImpactSettings().model_copy(update=changes)
    return markdown_report(breach_model_impact(breach_summary(), settings))


def test_the_assumptions_come_before_any_figure():
    text = _markdown()
    report = breach_model_impact(breach_summary(), BusinessImpactSettings())
    assert text.startswith("# Business impact of SLA-breach alerts\n\n## Assumptions\n\n")
    first_table = text.index("| strategy |")
    for sentence in report.assumptions:
        assert 0 < text.index(f"- {sentence}") < first_table


def test_each_strategy_has_its_section_with_both_stretches_of_time():
    text = _markdown()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Assumptions",
        "## Per 30 days, side by side",
        "## No model: alert on nothing",
        "## Alert at the highest F1 (threshold tuned on valid)",
        "## Alert at recall 0.8 (threshold tuned on valid)",
        "## Alert on the riskiest 1 % (threshold tuned on valid)",
        "## Alert on every incident",
    ]
    assert text.count("| figure | test window (5.00 days) | per 30 days |") == 5
    # Max F1 over 5 days: 7,500 net, 45,000 per 30 days; break-even at 5 %.
    assert "| net benefit (EUR) | 7,500 | 45,000 |" in text
    assert "| breaches prevented | 18 | 108 |" in text
    assert "Break-even at an intervention effect of 5.0 %" in text


def test_a_break_even_beyond_every_breach_is_called_out_of_reach():
    text = _markdown(review_minutes=600)
    # The top 1 %: 10 alerts of 10 hours at 60 cost 6,000; 9 caught save at most 4,500.
    assert "| 133.3 % |" not in text and "133.3 %, out of reach" in text
    assert "even preventing every alerted breach would not pay for reviewing the alerts" in text
