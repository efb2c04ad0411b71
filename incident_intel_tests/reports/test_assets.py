"""The report assets, materialised on a breach model's summary or a shadow log made by hand."""

import json

import dagster as dg
import pytest

from incident_intel.reports.assets import business_impact, shadow_comparison
from incident_intel.reports.shadow_comparison_markdown import NOTHING_YET
from incident_intel.settings import BusinessImpactSettings, SettingsResource
from incident_intel.shadow.log import ShadowLog
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import BUSINESS_IMPACT, SHADOW_COMPARISON, SLA_BREACH_MODEL
from incident_intel_tests.reports.shadow_log_support import (
    BREACH,
    BREACH_THRESHOLDS,
    hand_made_rows,
)
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


def _materialise_shadow_comparison(root):
    result = dg.materialize(
        [shadow_comparison], resources={"lake": LakeResource(data_dir=str(root))}
    )
    assert result.success
    [event] = result.get_asset_materialization_events()
    directory = root / SHADOW_COMPARISON.layer / SHADOW_COMPARISON.name
    written = json.loads((directory / "shadow_comparison.json").read_text())
    markdown = (directory / "shadow_comparison.md").read_text()
    return written, markdown, event.materialization.metadata


def test_with_no_shadow_log_the_comparison_says_there_is_nothing_yet(tmp_path):
    written, markdown, metadata = _materialise_shadow_comparison(tmp_path)
    assert written == {"rows_logged": 0, "pairs": []}
    assert NOTHING_YET in markdown and metadata["summary"].value == markdown
    assert metadata["rows_logged"].value == 0


def test_the_comparison_reads_the_log_and_the_promoted_thresholds(tmp_path):
    thresholds = {rule: {"threshold": t} for rule, t in BREACH_THRESHOLDS.items()}
    ModelStore(LakePaths(tmp_path).models).save(BREACH, "p1", {}, {}, thresholds)
    ShadowLog(LakePaths(tmp_path).shadow_log).append(hand_made_rows())

    written, markdown, metadata = _materialise_shadow_comparison(tmp_path)
    assert written["rows_logged"] == 13 and len(written["pairs"]) == 4
    [pair] = [p for p in written["pairs"] if p["candidate_version"] == "c1"]
    assert [a["rule"] for a in pair["breach"]["alerts"]] == ["max_f1", "top_fraction"]
    assert "| p1 | c1 | top_fraction | 0.850 | 0.250 | 0.000 | 0.750 |" in markdown
    assert metadata["sla_breach_model_alert_agreement_at_top_fraction"].value == 0.75
    assert metadata["triage_model_top1_agreement_assignment_group"].value == pytest.approx(2 / 3)
