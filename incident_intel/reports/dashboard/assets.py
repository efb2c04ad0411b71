"""reports/dashboard: the operations and model dashboard, rebuilt after each scoring run."""

import dagster as dg
import polars as pl

from incident_intel.metadata import markdown_table
from incident_intel.settings import SettingsResource
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import (
    DASHBOARD,
    INCIDENT_CLUSTERS,
    INCIDENT_FEATURES,
    MODEL_EVALUATION,
    OPEN_INCIDENT_SCORES,
    OPS_DAILY_STATS,
)


@dg.asset(
    key=DASHBOARD.key,
    deps=[
        OPS_DAILY_STATS.key,
        INCIDENT_FEATURES.key,
        MODEL_EVALUATION.key,
        INCIDENT_CLUSTERS.key,
        OPEN_INCIDENT_SCORES.key,
    ],
    group_name=DASHBOARD.layer,
    kinds={"plotly", "html"},
)
def dashboard(
    context: dg.AssetExecutionContext, lake: LakeResource, settings: SettingsResource
) -> dg.MaterializeResult:
    """Backlog, SLA attainment, every model beside its baselines, the archetypes, today's riskiest
    open incidents and drift, in one HTML page that opens offline and at the API's /dashboard."""
    # Imported here: plotly loads when the dashboard builds, not when the code location loads.
    from incident_intel.reports.dashboard.build import build_dashboard

    built = build_dashboard(lake.paths, settings.drift)
    context.log.info(
        f"dashboard written to {built.index} in {built.seconds:.1f} s: "
        f"{sum(built.charts.values())} charts, {built.open_incidents:,} open incidents"
    )
    charts = pl.DataFrame({"view": list(built.charts), "charts": list(built.charts.values())})
    return dg.MaterializeResult(
        metadata={
            "open": dg.MetadataValue.url(built.index.as_uri()),
            "index": dg.MetadataValue.path(str(built.index)),
            "scores_day": str(built.scores_day or "none yet"),
            "open_incidents": built.open_incidents,
            "build_seconds": built.seconds,
            "size_mib": built.size_bytes / 2**20,
            "views": markdown_table(charts),
        }
    )
