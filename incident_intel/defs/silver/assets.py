"""Silver: typed incident versions and their rejects per day, and the merged current state."""

import dagster as dg

from incident_intel.defs.bronze.assets import BRONZE_TABLE
from incident_intel.defs.metadata import column_schema
from incident_intel.defs.partitions import daily_partitions, day_window, partition_days
from incident_intel.defs.silver import checks
from incident_intel.lake.atomic import write_parquet_atomic
from incident_intel.lake.bronze import read_bronze_pages
from incident_intel.lake.silver import build_silver_partition, versions_schema
from incident_intel.lake.warehouse import merge_incidents, refresh_parquet_view
from incident_intel.resources.incident_source import IncidentSource
from incident_intel.resources.lake import LakeResource
from incident_intel.sources.schema_mapping import load_schema_mapping

VERSIONS = "incident_versions"
REJECTS = "incident_rejects"
BRONZE_KEY = dg.AssetKey(["bronze", BRONZE_TABLE])
REJECTS_KEY = dg.AssetKey(["silver", REJECTS])

VERSION_CHECKS = {
    "incident_versions_key_fields_not_null": "Key fields are present on every version.",
    "incident_versions_allowed_values": "State, priority, impact and urgency are in their sets.",
    "incident_versions_resolved_after_opened": "No version is resolved before it was opened.",
    "incident_versions_reconcile_with_bronze": "Bronze records = versions + rejects.",
}
DRIFT_CHECK = "incident_versions_schema_drift"


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["silver", VERSIONS],
            deps=[BRONZE_KEY],
            group_name="silver",
            description="One typed, flattened row per incident version (sys_id, sys_updated_on).",
            kinds={"parquet", "polars"},
        ),
        dg.AssetSpec(
            REJECTS_KEY,
            deps=[BRONZE_KEY],
            group_name="silver",
            description="Bronze records that failed typing or validation, with the raw record "
            "and the reason.",
            kinds={"parquet", "polars"},
        ),
    ],
    check_specs=[
        *(
            dg.AssetCheckSpec(name, asset=checks.VERSIONS_KEY, description=text, blocking=True)
            for name, text in VERSION_CHECKS.items()
        ),
        dg.AssetCheckSpec(
            DRIFT_CHECK,
            asset=checks.VERSIONS_KEY,
            description="Fields the source sent that the mapping does not know, or lacks.",
        ),
    ],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def silver_incident_versions(
    context: dg.AssetExecutionContext, lake: LakeResource, source: IncidentSource
):
    mapping = load_schema_mapping().source(source.mapping)
    schema = versions_schema(mapping.canonical)
    outcomes: dict[str, list[checks.CheckOutcome]] = {n: [] for n in [*VERSION_CHECKS, DRIFT_CHECK]}
    totals = {"versions": 0, "rejects": 0, "bronze": 0}
    for day in partition_days(context):
        partition = build_silver_partition(
            read_bronze_pages(lake.paths.bronze_partition(BRONZE_TABLE, day)),
            mapping,
            day,
            day_window(day),
        )
        write_parquet_atomic(partition.versions, lake.paths.silver_partition_file(VERSIONS, day))
        write_parquet_atomic(partition.rejects, lake.paths.silver_partition_file(REJECTS, day))
        totals["versions"] += partition.versions.height
        totals["rejects"] += partition.rejects.height
        totals["bronze"] += partition.bronze_records
        outcomes["incident_versions_key_fields_not_null"].append(
            checks.key_fields_not_null(partition.versions)
        )
        outcomes["incident_versions_allowed_values"].append(
            checks.values_in_allowed_sets(partition.versions, mapping)
        )
        outcomes["incident_versions_resolved_after_opened"].append(
            checks.resolved_after_opened(partition.versions)
        )
        outcomes["incident_versions_reconcile_with_bronze"].append(
            checks.bronze_reconciles(
                partition.bronze_records, partition.versions.height, partition.rejects.height
            )
        )
        outcomes[DRIFT_CHECK].append(
            checks.schema_drift(set(partition.unknown_fields), set(partition.missing_fields))
        )
        context.log.info(
            f"{day}: {partition.bronze_records} bronze records -> "
            f"{partition.versions.height} versions, {partition.rejects.height} rejects"
        )
    yield dg.MaterializeResult(
        asset_key=checks.VERSIONS_KEY,
        metadata={
            "dagster/row_count": totals["versions"],
            "dagster/column_schema": column_schema(schema),
            "bronze_records": totals["bronze"],
        },
    )
    yield dg.MaterializeResult(
        asset_key=REJECTS_KEY,
        metadata={
            "dagster/row_count": totals["rejects"],
            "reject_rate": totals["rejects"] / totals["bronze"] if totals["bronze"] else 0.0,
        },
    )
    for name, results in outcomes.items():
        merged = checks.combine_outcomes(results)
        severity = (
            dg.AssetCheckSeverity.WARN if name == DRIFT_CHECK else dg.AssetCheckSeverity.ERROR
        )
        yield merged.to_result(checks.VERSIONS_KEY, name, severity)


@dg.asset(
    key=checks.INCIDENTS_KEY,
    deps=[checks.VERSIONS_KEY],
    group_name="silver",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"duckdb"},
)
def incidents(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """The current state of every incident: its newest version, merged in day by day."""
    schema = versions_schema(load_schema_mapping().canonical)
    inserted = updated = 0
    with lake.warehouse() as connection:
        for day in partition_days(context):
            stats = merge_incidents(
                connection, lake.paths.silver_partition_file(VERSIONS, day), schema
            )
            inserted += stats.inserted
            updated += stats.updated
        refresh_parquet_view(connection, f"silver.{VERSIONS}", lake.paths.silver_glob(VERSIONS))
        refresh_parquet_view(connection, f"silver.{REJECTS}", lake.paths.silver_glob(REJECTS))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": stats.total,
            "inserted": inserted,
            "updated": updated,
            "warehouse": str(lake.paths.warehouse),
        }
    )
