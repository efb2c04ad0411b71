"""Silver: typed incident versions and their rejects per day, and the merged current state."""

from datetime import date

import dagster as dg

from incident_intel.ingest.bronze import read_bronze_pages
from incident_intel.ingest.source import IncidentSource
from incident_intel.metadata import column_schema
from incident_intel.partitions import day_window, partition_days
from incident_intel.settings import SettingsResource
from incident_intel.silver import checks
from incident_intel.silver.mapping import SourceMapping, load_schema_mapping
from incident_intel.silver.merge import merge_incidents
from incident_intel.silver.parse import SilverPartition, build_silver_partition, versions_schema
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import (
    INCIDENT_PAGES,
    INCIDENT_REJECTS,
    INCIDENT_VERSIONS,
    INCIDENTS,
)
from incident_intel.storage.warehouse import WarehouseResource, refresh_parquet_view

VERSION_CHECKS = {
    "incident_versions_key_fields_not_null": "Key fields are present on every version.",
    "incident_versions_allowed_values": "State, priority, impact and urgency are in their sets.",
    "incident_versions_resolved_after_opened": "No version is resolved before it was opened.",
    "incident_versions_reconcile_with_bronze": "Bronze records = versions + rejects.",
    "incident_versions_reject_rate": "Rejects that lose data stay within silver.max_reject_rate "
    "of each day's bronze records.",
}
DRIFT_CHECK = "incident_versions_schema_drift"


def _check_outcomes(
    day: date, partition: SilverPartition, mapping: SourceMapping, max_reject_rate: float
) -> dict[str, checks.CheckOutcome]:
    return {
        "incident_versions_key_fields_not_null": checks.key_fields_not_null(partition.versions),
        "incident_versions_allowed_values": checks.values_in_allowed_sets(
            partition.versions, mapping
        ),
        "incident_versions_resolved_after_opened": checks.resolved_after_opened(partition.versions),
        "incident_versions_reconcile_with_bronze": checks.bronze_reconciles(
            partition.bronze_records, partition.versions.height, partition.rejects.height
        ),
        "incident_versions_reject_rate": checks.reject_rate(
            day, partition.rejects, partition.bronze_records, max_reject_rate
        ),
        DRIFT_CHECK: checks.schema_drift(
            set(partition.unknown_fields), set(partition.missing_fields)
        ),
    }


def build_silver_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The daily silver assets on the project's partitions (their start date is a setting)."""

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                INCIDENT_VERSIONS.key,
                deps=[INCIDENT_PAGES.key],
                group_name=INCIDENT_VERSIONS.layer,
                description="One typed, flattened row per incident version "
                "(sys_id, sys_updated_on).",
                kinds={"parquet", "polars"},
                skippable=True,
            ),
            dg.AssetSpec(
                INCIDENT_REJECTS.key,
                deps=[INCIDENT_PAGES.key],
                group_name=INCIDENT_REJECTS.layer,
                description="Bronze records that failed typing or validation, with the raw "
                "record and the reason.",
                kinds={"parquet", "polars"},
                skippable=True,
            ),
        ],
        check_specs=[
            *(
                dg.AssetCheckSpec(
                    name, asset=INCIDENT_VERSIONS.key, description=text, blocking=True
                )
                for name, text in VERSION_CHECKS.items()
            ),
            dg.AssetCheckSpec(
                DRIFT_CHECK,
                asset=INCIDENT_VERSIONS.key,
                description="Fields the source sent that the mapping does not know, or lacks.",
            ),
        ],
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        can_subset=True,
    )
    def silver_incident_versions(
        context: dg.AssetExecutionContext,
        lake: LakeResource,
        source: IncidentSource,
        settings: SettingsResource,
    ):
        """Parses each day's bronze once; writes and reports the tables that were selected."""
        mapping = load_schema_mapping().source(source.mapping)
        selected = context.selected_asset_keys
        write_versions = INCIDENT_VERSIONS.key in selected
        write_rejects = INCIDENT_REJECTS.key in selected
        outcomes: dict[str, list[checks.CheckOutcome]] = {
            n: [] for n in [*VERSION_CHECKS, DRIFT_CHECK]
        }
        totals = {"versions": 0, "rejects": 0, "bronze": 0}
        days = partition_days(context)
        for done, day in enumerate(days, start=1):
            partition = build_silver_partition(
                read_bronze_pages(lake.paths.partition_dir(INCIDENT_PAGES, day)),
                mapping,
                day,
                day_window(day),
            )
            if write_versions:
                write_parquet_atomic(
                    partition.versions, lake.paths.partition_file(INCIDENT_VERSIONS, day)
                )
            if write_rejects:
                write_parquet_atomic(
                    partition.rejects, lake.paths.partition_file(INCIDENT_REJECTS, day)
                )
            totals["versions"] += partition.versions.height
            totals["rejects"] += partition.rejects.height
            totals["bronze"] += partition.bronze_records
            day_outcomes = _check_outcomes(day, partition, mapping, settings.silver.max_reject_rate)
            for name, outcome in day_outcomes.items():
                outcomes[name].append(outcome)
            context.log.info(
                f"partition {done}/{len(days)} {day}: {partition.bronze_records} bronze "
                f"records -> {partition.versions.height} versions, "
                f"{partition.rejects.height} rejects"
            )
        if write_versions:
            yield dg.MaterializeResult(
                asset_key=INCIDENT_VERSIONS.key,
                metadata={
                    "dagster/row_count": totals["versions"],
                    "dagster/column_schema": column_schema(versions_schema(mapping.canonical)),
                    "bronze_records": totals["bronze"],
                },
            )
        if write_rejects:
            yield dg.MaterializeResult(
                asset_key=INCIDENT_REJECTS.key,
                metadata={
                    "dagster/row_count": totals["rejects"],
                    "reject_rate": totals["rejects"] / totals["bronze"]
                    if totals["bronze"]
                    else 0.0,
                },
            )
        selected_checks = {key.name for key in context.selected_asset_check_keys}
        for name, results in outcomes.items():
            if name not in selected_checks:
                continue
            severity = (
                dg.AssetCheckSeverity.WARN if name == DRIFT_CHECK else dg.AssetCheckSeverity.ERROR
            )
            merged = checks.combine_outcomes(results)
            yield merged.to_result(INCIDENT_VERSIONS.key, name, severity)

    @dg.asset(
        key=INCIDENTS.key,
        deps=[INCIDENT_VERSIONS.key],
        group_name=INCIDENTS.layer,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
        kinds={"duckdb"},
    )
    def incidents(
        context: dg.AssetExecutionContext, lake: LakeResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        """The current state of every incident: its newest version, merged in day by day."""
        schema = versions_schema(load_schema_mapping().canonical)
        inserted = updated = total = 0
        days = partition_days(context)
        with warehouse.get_connection() as connection:
            for day in days:
                stats = merge_incidents(
                    connection, lake.paths.partition_file(INCIDENT_VERSIONS, day), schema
                )
                inserted += stats.inserted
                updated += stats.updated
                total = stats.total
            context.log.info(
                f"merged {len(days)} partitions: {inserted} incidents inserted, {updated} updated, "
                f"{total} in silver.incidents"
            )
            for table in (INCIDENT_VERSIONS, INCIDENT_REJECTS):
                # Either table may be materialised alone; a view needs one file to exist.
                if lake.paths.has_partitions(table):
                    refresh_parquet_view(
                        connection, table.sql_name, lake.paths.partition_glob(table)
                    )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": total,
                "inserted": inserted,
                "updated": updated,
                "warehouse": warehouse.database,
            }
        )

    return [silver_incident_versions, incidents]
