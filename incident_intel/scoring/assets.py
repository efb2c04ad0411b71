"""The scoring view: each day's open incidents with every model's output, and its drift from
what the breach model learnt."""

import dagster as dg
import polars as pl

from incident_intel.metadata import column_schema, markdown_table
from incident_intel.partitions import partition_days
from incident_intel.scoring.drift_checks import (
    CHECK_SPECS,
    feature_drift_result,
    risk_drift_result,
)
from incident_intel.settings import SettingsResource
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import (
    INCIDENT_FEATURES,
    INCIDENT_TEXT_EMBEDDINGS,
    INCIDENT_VERSIONS,
    OPEN_INCIDENT_DRIFT,
    OPEN_INCIDENT_SCORES,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

PREVIEW = ("number", "breach_probability", "ttr_hours", "assignment_group", "short_description")


def build_open_incident_scores(partitions: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    @dg.asset(
        key=OPEN_INCIDENT_SCORES.key,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[
            INCIDENT_VERSIONS.key,
            INCIDENT_FEATURES.key,
            INCIDENT_TEXT_EMBEDDINGS.key,
            SLA_BREACH_MODEL.key,
            RESOLUTION_TIME_MODEL.key,
            TRIAGE_MODEL.key,
        ],
        group_name=OPEN_INCIDENT_SCORES.layer,
        kinds={"catboost", "parquet"},
        check_specs=CHECK_SPECS,
    )
    def open_incident_scores(
        context: dg.AssetExecutionContext, lake: LakeResource, settings: SettingsResource
    ) -> dg.MaterializeResult:
        """Every incident open at the day's end: its risk, resolution time, suggested routing,
        top factors and similar past incidents."""
        # Imported here: ML libraries load when a model scores, not when the code location loads.
        from incident_intel.scoring.drift import measure_day
        from incident_intel.scoring.open_scores import score_day

        coverage = settings.models.resolution_time.interval_coverage
        drifts = []
        for day in partition_days(context):
            scored = score_day(lake.paths, day, coverage)
            write_parquet_atomic(
                scored.scores, lake.paths.partition_file(OPEN_INCIDENT_SCORES, day)
            )
            drift = measure_day(scored)
            write_parquet_atomic(
                drift.figures(), lake.paths.partition_file(OPEN_INCIDENT_DRIFT, day)
            )
            drifts.append(drift)
            context.log.info(
                f"{day}: {scored.scores.height:,} of {scored.open_incidents:,} open incidents "
                f"scored; similar incidents from {scored.similar_pool:,} resolved; "
                + drift.summary()
            )
        scores = scored.scores
        versions = scores["model_versions"][0] if scores.height else {}
        return dg.MaterializeResult(
            metadata={
                "last_day": str(scored.day),
                "dagster/row_count": scores.height,
                "dagster/column_schema": column_schema(scores.schema),
                "open_incidents": scored.open_incidents,
                "not_scored": scored.not_scored,
                "mean_breach_probability": float(scores["breach_probability"].mean() or 0.0),
                "model_versions": ", ".join(f"{k} {v}" for k, v in (versions or {}).items()),
                "models_trained_through": ", ".join(
                    f"{k} {v}" for k, v in scored.trained_through.items()
                ),
                "riskiest": markdown_table(
                    scores.head(10)
                    .select(PREVIEW)
                    .with_columns(pl.col("short_description").str.slice(0, 60))
                ),
            },
            check_results=[
                feature_drift_result(drifts, settings.drift),
                risk_drift_result(drifts, settings.drift),
            ],
        )

    return open_incident_scores
