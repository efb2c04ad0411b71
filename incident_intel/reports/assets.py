"""Reports: the model evaluation (JSON, markdown and PNG plots), the business impact, and the
shadow comparison of candidate models with the promoted ones."""

import json

import dagster as dg
import polars as pl

from incident_intel.reports import business_impact_markdown, shadow_comparison_markdown
from incident_intel.reports.business_impact import breach_model_impact, headline_figures
from incident_intel.reports.evaluation import markdown_report
from incident_intel.reports.headlines import evaluation_headlines
from incident_intel.reports.shadow_comparison import compare_versions, comparison_headlines
from incident_intel.settings import SettingsResource
from incident_intel.shadow.log import ShadowLog
from incident_intel.storage.atomic import write_bytes_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.tables import (
    BUSINESS_IMPACT,
    INCIDENT_CLUSTERS,
    MODEL_EVALUATION,
    RESOLUTION_TIME_MODEL,
    SHADOW_COMPARISON,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)


def _plots(summaries: dict[str, dict]) -> dict[str, bytes]:
    # Imported here: ML libraries load when a model trains, not when the code location loads.
    from incident_intel.reports import plots

    breach = summaries[SLA_BREACH_MODEL.name]["metrics"]
    images = {
        "sla_breach_pr_curve.png": plots.pr_curves(
            breach["pr_curve"], breach["model"]["base_rate"]
        ),
        "sla_breach_reliability.png": plots.reliability(breach["reliability"]),
        "resolution_time_residuals.png": plots.residuals(
            summaries[RESOLUTION_TIME_MODEL.name]["metrics"]["residual_sample"]
        ),
    }
    for target, metrics in summaries[TRIAGE_MODEL.name]["metrics"].items():
        images[f"triage_{target}_routing.png"] = plots.routing_by_class(
            target, metrics["model"]["routing_by_class"]
        )
    return images


@dg.asset(
    key=MODEL_EVALUATION.key,
    ins={
        "sla_breach_model": dg.AssetIn(SLA_BREACH_MODEL.key),
        "resolution_time_model": dg.AssetIn(RESOLUTION_TIME_MODEL.key),
        "triage_model": dg.AssetIn(TRIAGE_MODEL.key),
        "incident_clusters": dg.AssetIn(INCIDENT_CLUSTERS.key),
    },
    group_name=MODEL_EVALUATION.layer,
    kinds={"markdown"},
)
def model_evaluation(
    context: dg.AssetExecutionContext,
    lake: LakeResource,
    sla_breach_model: dict,
    resolution_time_model: dict,
    triage_model: dict,
    incident_clusters: dict,
) -> dg.MaterializeResult:
    """Every figure of every model beside its baseline, as JSON, markdown and PNG plots."""
    summaries = {
        SLA_BREACH_MODEL.name: sla_breach_model,
        RESOLUTION_TIME_MODEL.name: resolution_time_model,
        TRIAGE_MODEL.name: triage_model,
        INCIDENT_CLUSTERS.name: incident_clusters,
    }
    directory = lake.paths.table_dir(MODEL_EVALUATION)
    markdown = markdown_report(summaries)
    write_bytes_atomic(
        directory / "report.json",
        json.dumps(summaries, indent=2, sort_keys=True, default=str).encode(),
    )
    write_bytes_atomic(directory / "report.md", markdown.encode())
    for name, png in _plots(summaries).items():
        write_bytes_atomic(directory / name, png)
    context.log.info(f"evaluation report written to {directory / 'report.md'}")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(directory / "report.md")),
            "promoted": ", ".join(n for n, s in summaries.items() if s["promoted"]) or "none",
            "summary": dg.MetadataValue.md(markdown[:30000]),
            **evaluation_headlines(summaries),
        }
    )


@dg.asset(
    key=BUSINESS_IMPACT.key,
    ins={"sla_breach_model": dg.AssetIn(SLA_BREACH_MODEL.key)},
    group_name=BUSINESS_IMPACT.layer,
    kinds={"markdown"},
)
def business_impact(
    context: dg.AssetExecutionContext,
    lake: LakeResource,
    settings: SettingsResource,
    sla_breach_model: dict,
) -> dg.MaterializeResult:
    """The breaches each alert threshold would let the team prevent, and what the reviews cost."""
    report = breach_model_impact(sla_breach_model, settings.business_impact)
    text = business_impact_markdown.markdown_report(report)
    directory = lake.paths.table_dir(BUSINESS_IMPACT)
    write_bytes_atomic(
        directory / "business_impact.json",
        json.dumps(report.as_dict(), indent=2, sort_keys=True).encode(),
    )
    write_bytes_atomic(directory / "business_impact.md", text.encode())
    context.log.info(f"business impact report written to {directory / 'business_impact.md'}")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(directory / "business_impact.md")),
            "summary": dg.MetadataValue.md(text[:30000]),
            "period_days": report.settings.period_days,
            **headline_figures(report),
        }
    )


def _breach_thresholds(store: ModelStore, log: pl.DataFrame) -> dict[str, dict[str, float]]:
    """The alert thresholds of each promoted breach version the log names and the store holds."""
    name = SLA_BREACH_MODEL.name
    logged = log.filter(pl.col("model") == name)["promoted_version"].drop_nulls().unique()
    stored = set(store.candidates(name))
    return {
        version: {rule: t["threshold"] for rule, t in store.thresholds(name, version).items()}
        for version in logged
        if version in stored
    }


@dg.asset(
    key=SHADOW_COMPARISON.key, group_name=SHADOW_COMPARISON.layer, kinds={"sqlite", "markdown"}
)
def shadow_comparison(
    context: dg.AssetExecutionContext, lake: LakeResource
) -> dg.MaterializeResult:
    """How each candidate model scored live requests beside the promoted one, before promotion."""
    log = ShadowLog(lake.paths.shadow_log).frame()
    report = compare_versions(log, _breach_thresholds(ModelStore(lake.paths.models), log))
    text = shadow_comparison_markdown.markdown_report(report)
    directory = lake.paths.table_dir(SHADOW_COMPARISON)
    write_bytes_atomic(
        directory / "shadow_comparison.json",
        json.dumps(report.as_dict(), indent=2, sort_keys=True, default=str).encode(),
    )
    write_bytes_atomic(directory / "shadow_comparison.md", text.encode())
    context.log.info(f"shadow comparison written to {directory / 'shadow_comparison.md'}")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.path(str(directory / "shadow_comparison.md")),
            "summary": dg.MetadataValue.md(text[:30000]),
            "rows_logged": report.rows_logged,
            "version_pairs": len(report.pairs),
            **comparison_headlines(report),
        }
    )
