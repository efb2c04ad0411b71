"""Gold, models and the reports, materialised on a small simulator history."""

import json

import pytest

from incident_intel.storage.model_store import ModelStore
from incident_intel_tests.trained_lake import materialize_downstream

pytestmark = pytest.mark.slow
MODELS = ("sla_breach_model", "resolution_time_model", "triage_model", "incident_clusters")


def _metadata(result, key: str) -> dict:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == key
    ]
    return {k: v.value for k, v in event.materialization.metadata.items()}


@pytest.fixture(scope="module")
def trained(trained_lake):
    return trained_lake


def test_every_model_beats_its_baseline_and_is_promoted(trained):
    root, result = trained
    checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    assert checks["sla_breach_model_beats_baseline"]
    assert checks["resolution_time_model_beats_baseline"]
    assert checks["triage_model_beats_baseline"]
    store = ModelStore(root / "model")
    for name in MODELS:
        model = store.load(name)
        assert model.card["promoted"] and model.card["data_fingerprint"]
    thresholds = store.load("sla_breach_model").thresholds
    assert set(thresholds) == {"max_f1", "recall_at_least", "top_fraction"}


def test_the_report_holds_every_model_beside_its_baseline(trained):
    root, _ = trained
    directory = root / "reports" / "model_evaluation"
    report = json.loads((directory / "report.json").read_text())
    assert set(report) == set(MODELS)
    assert report["sla_breach_model"]["metrics"]["baselines"]["priority_rate"]["pr_auc"] > 0
    for name in ("sla_breach_model", "resolution_time_model"):
        assert "catboost_default" in report[name]["metrics"]["baselines"]
    for metrics in report["triage_model"]["metrics"].values():
        assert "catboost_default" in metrics["baselines"]
    markdown = (directory / "report.md").read_text()
    assert "| strongest baseline |" in markdown and "| win beyond noise |" in markdown
    blend = report["sla_breach_model"]["metrics"]["blend"]
    assert set(blend) == {"catboost", "linear", "duration"} and sum(blend.values()) == 1.0
    assert "Blend of standardised scores, chosen on `valid` ROC AUC: catboost " in markdown
    for heading in ("SLA-breach risk", "Time to resolution", "Triage", "Incident archetypes"):
        assert heading in markdown
    pngs = sorted(p.name for p in directory.glob("*.png"))
    assert "sla_breach_pr_curve.png" in pngs and "resolution_time_residuals.png" in pngs
    assert all((directory / p).read_bytes()[:4] == b"\x89PNG" for p in pngs)


def test_the_business_impact_report_scales_the_breach_models_test_window(trained):
    root, result = trained
    directory = root / "reports" / "business_impact"
    report = json.loads((directory / "business_impact.json").read_text())
    assert report["test_window"]["days"] > 0
    strategies = [s["name"] for s in report["strategies"]]
    assert strategies == [
        "no_model",
        "max_f1",
        "recall_at_least",
        "top_fraction",
        "alert_on_everything",
    ]
    assert (
        (directory / "business_impact.md")
        .read_text()
        .startswith("# Business impact of SLA-breach alerts\n\n## Assumptions")
    )
    metadata = _metadata(result, "reports/business_impact")
    assert metadata["breaches_prevented_per_30_days_at_max_f1"] > 0


def test_a_rerun_embeds_nothing_new_and_trains_the_same_model(trained):
    root, first = trained
    again = materialize_downstream(
        root,
        selection=[
            "gold/incident_features",
            "gold/incident_text_embeddings",
            "ml/sla_breach_model",
        ],
    )
    assert _metadata(again, "gold/incident_text_embeddings")["newly_embedded"] == 0
    before = _metadata(first, "ml/sla_breach_model")
    after = _metadata(again, "ml/sla_breach_model")
    assert after["version"] == before["version"]
    assert after["pr_auc"] == before["pr_auc"] and after["brier"] == before["brier"]
