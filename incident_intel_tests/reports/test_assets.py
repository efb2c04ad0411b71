"""The report assets, materialised on a breach model's summary made by hand."""

import json

import dagster as dg

from incident_intel.reports.assets import business_impact
from incident_intel.settings import BusinessImpactSettings, SettingsResource
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import BUSINESS_IMPACT, SLA_BREACH_MODEL
from incident_intel_tests.reports.support import breach_summary


@dg.asset(key=SLA_BREACH_MODEL.key, group_name=SLA_BREACH_MODEL.layer)
def sla_breach_model() -> dict:
    """A breach model's summary with what the business impact report reads."""
    return breach_summary()


def test_the_business_impact_report_states_its_assumptions(tmp_path):
    settings = SettingsResource(
        business_impact=BusinessImpactSettings(intervention_effect=0.5, currency="USD")
    )
    result = dg.materialize(
        [sla_breach_model, business_impact],
        resources={"lake": LakeResource(data_dir=str(tmp_path)), "settings": settings},
    )
    assert result.success

    directory = tmp_path / BUSINESS_IMPACT.layer / BUSINESS_IMPACT.name
    assert sorted(p.name for p in directory.iterdir()) == [
        "business_impact.json",
        "business_impact.md",
    ]
    written = json.loads((directory / "business_impact.json").read_text())
    assert written["settings"]["intervention_effect"] == 0.5
    markdown = (directory / "business_impact.md").read_text()
    assert markdown.index("## Assumptions") < markdown.index("| strategy |")
    for sentence in written["assumptions"]:
        assert sentence in markdown
    assert "prevents 50 % of the true breaches" in markdown and "500 USD" in markdown

    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key == BUSINESS_IMPACT.key
    ]
    metadata = event.materialization.metadata
    assert metadata["summary"].value == markdown
    # Max F1 over 5 days: 30 prevented save 15,000 less 1,500 of review; times 6 for 30 days.
    assert metadata["net_benefit_per_30_days_at_max_f1"].value == 81000.0
    assert metadata["breaches_prevented_per_30_days_at_max_f1"].value == 180.0
