"""Silver: typed incident versions and their rejects per day, and the merged current state."""

from datetime import date

import dagster as dg
import polars as pl

from incident_intel.ingest.source import IncidentSource
from incident_intel.metadata import column_schema
from incident_intel.partitions import day_window, partition_days
from incident_intel.settings import SettingsResource
from incident_intel.silver import checks
from incident_intel.silver.audit import AUDIT_SCHEMA
from incident_intel.silver.day import SilverDay
from incident_intel.silver.mapping import SourceMapping, load_schema_mapping
from incident_intel.silver.merge import flag_deletions, merge_incidents
from incident_intel.silver.parse import REJECT_SCHEMA, versions_schema
from incident_intel.silver.write import SILVER_TABLES, write_silver_day
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import (
    INCIDENT_AUDIT,
    INCIDENT_AUDIT_PAGES,
    INCIDENT_PAGES,
    INCIDENT_REJECTS,
    INCIDENT_VERSIONS,
    INCIDENTS,
    Table,
)
from incident_intel.storage.warehouse import WarehouseResource, refresh_parquet_view

VERSION_CHECKS = {
    "incident_versions_key_fields_not_null": "Key fields are present on every version.",
    "incident_versions_allowed_values": "State, priority, impact and urgency are in their sets.",
    "incident_versions_resolved_after_opened": "No version is resolved before it was opened.",
    "incident_versions_reconcile_with_bronze": "Bronze incident records = snapshots + rejects, "
    "and bronze audit rows = audit events + rejects.",
    "incident_versions_reject_rate": "Rejects that lose data stay within silver.max_reject_rate "
    "of each day's records.",
}
DRIFT_CHECK = "incident_versions_schema_drift"
HISTORY_CHECK = "incident_versions_history_complete"
WARNINGS = {
    DRIFT_CHECK: "Fields the source sent that the mapping neither maps nor declares as extra "
    "(what it could add), or that it reads and the source lacks.",
    HISTORY_CHECK: "Every incident's day is rebuilt from the audit trail: the share that fell "
    "back to snapshots (no audit access, or a history that starts before the lake's).",
}


def _check_outcomes(
    day: date, built: SilverDay, mapping: SourceMapping, max_reject_rate: float
) -> dict[str, checks.CheckOutcome]:
    snapshots, audit, rebuilt = built.snapshots, built.audit, built.rebuilt
    return {
        "incident_versions_key_fields_not_null": checks.key_fields_not_null(built.versions),
        "incident_versions_allowed_values": checks.values_in_allowed_sets(built.versions, mapping),
        "incident_versions_resolved_after_opened": checks.resolved_after_opened(built.versions),
        "incident_versions_reconcile_with_bronze": checks.combine_outcomes(
            [
                checks.bronze_reconciles(
                    snapshots.bronze_records, snapshots.versions.height, snapshots.rejects.height
                ),
                checks.audit_reconciles(
                    audit.bronze_records, audit.events.height, audit.rejects.height
                ),
            ]
        ),
        "incident_versions_reject_rate": checks.reject_rate(
            day, built.rejects, built.versions.height, max_reject_rate
        ),
        DRIFT_CHECK: checks.schema_drift(
            set(snapshots.unknown_fields),
            set(snapshots.missing_fields),
            set(rebuilt.unmapped_fields),
        ),
        HISTORY_CHECK: checks.history_complete(day, built.history_path, rebuilt),
    }


def _spec(table: Table, description: str, deps: list[Table]) -> dg.AssetSpec:
    return dg.AssetSpec(
        table.key,
        deps=[d.key for d in deps],
        group_name=table.layer,
        description=description,
        kinds={"parquet", "polars"},
        skippable=True,
    )


def build_silver_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The daily silver assets on the project's partitions (their start date is a setting)."""
    bronze = [INCIDENT_PAGES, INCIDENT_AUDIT_PAGES]

    @dg.multi_asset(
        specs=[
            _spec(
                INCIDENT_VERSIONS,
                "Each incident's state after each change, one typed row per (sys_id, "
                "sys_updated_on): rebuilt from the audit trail, or the record as pulled.",
                bronze,
            ),
            _spec(
                INCIDENT_REJECTS,
                "Bronze records that failed typing or validation, with the raw record and the "
                "reason.",
                bronze,
            ),
            _spec(
                INCIDENT_AUDIT,
                "The audit trail, typed: every field change and deletion of an incident.",
                [INCIDENT_AUDIT_PAGES],
            ),
        ],
        check_specs=[
            *(
                dg.AssetCheckSpec(
                    name, asset=INCIDENT_VERSIONS.key, description=text, blocking=True
                )
                for name, text in VERSION_CHECKS.items()
            ),
            *(
                dg.AssetCheckSpec(name, asset=INCIDENT_VERSIONS.key, description=text)
                for name, text in WARNINGS.items()
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
        """Parses each day's bronze once, in day order; writes and reports the selected tables."""
        mapping = load_schema_mapping().source(source.mapping)
        selected = context.selected_asset_keys
        tables = [t for t in SILVER_TABLES if t.key in selected]
        outcomes: dict[str, list[checks.CheckOutcome]] = {
            n: [] for n in [*VERSION_CHECKS, *WARNINGS]
        }
        totals = dict.fromkeys(
            ["versions", "rejects", "audit", "bronze", "from_audit", "touched", "fallback"], 0
        )
        paths: set[str] = set()
        days = partition_days(context)
        for done, day in enumerate(days, start=1):
            built = write_silver_day(lake.paths, mapping, day, day_window(day), tables)
            rebuilt = built.rebuilt
            totals["versions"] += built.versions.height
            totals["rejects"] += built.rejects.height
            totals["audit"] += built.audit.events.height
            totals["bronze"] += built.snapshots.bronze_records + built.audit.bronze_records
            totals["from_audit"] += rebuilt.from_audit
            totals["touched"] += rebuilt.touched
            totals["fallback"] += rebuilt.incomplete + rebuilt.mismatched
            paths.add(built.history_path)
            day_outcomes = _check_outcomes(day, built, mapping, settings.silver.max_reject_rate)
            for name, outcome in day_outcomes.items():
                outcomes[name].append(outcome)
            context.log.info(
                f"partition {done}/{len(days)} {day}: {built.snapshots.bronze_records} records "
                f"and {built.audit.bronze_records} audit rows -> {built.versions.height} "
                f"versions ({rebuilt.from_audit} of {rebuilt.touched} incidents rebuilt from "
                f"the audit trail; history: {built.history_path}), {built.rejects.height} rejects"
            )
        yield from _results(mapping, totals, paths, selected)
        selected_checks = {key.name for key in context.selected_asset_check_keys}
        for name, results in outcomes.items():
            if name not in selected_checks:
                continue
            severity = (
                dg.AssetCheckSeverity.WARN if name in WARNINGS else dg.AssetCheckSeverity.ERROR
            )
            merged = checks.combine_outcomes(results)
            if name == HISTORY_CHECK:
                merged = checks.with_incomplete_share(merged)
            yield merged.to_result(INCIDENT_VERSIONS.key, name, severity)

    @dg.asset(
        key=INCIDENTS.key,
        deps=[INCIDENT_VERSIONS.key, INCIDENT_AUDIT.key],
        group_name=INCIDENTS.layer,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="warehouse",
        kinds={"duckdb"},
    )
    def incidents(
        context: dg.AssetExecutionContext, lake: LakeResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        """The current state of every incident: its newest version, merged in day by day, and
        flagged deleted once the audit trail records its deletion."""
        inserted = updated = total = deleted = 0
        days = partition_days(context)
        with warehouse.get_connection() as connection:
            for day in days:
                versions_file = lake.paths.partition_file(INCIDENT_VERSIONS, day)
                # The columns silver wrote: the canonical ones and the source's extra fields.
                schema = dict(pl.read_parquet_schema(versions_file))
                stats = merge_incidents(connection, versions_file, schema)
                audit_file = lake.paths.partition_file(INCIDENT_AUDIT, day)
                if audit_file.exists():
                    deleted += flag_deletions(connection, audit_file)
                inserted += stats.inserted
                updated += stats.updated
                total = stats.total
            context.log.info(
                f"merged {len(days)} partitions: {inserted} incidents inserted, {updated} updated, "
                f"{deleted} flagged deleted, {total} in silver.incidents"
            )
            schema = connection.sql(f"SELECT * FROM {INCIDENTS.sql_name} LIMIT 0").pl().schema
            for table in (INCIDENT_VERSIONS, INCIDENT_REJECTS, INCIDENT_AUDIT):
                # Either table may be materialised alone; a view needs one file to exist.
                if lake.paths.has_partitions(table):
                    refresh_parquet_view(
                        connection, table.sql_name, lake.paths.partition_glob(table)
                    )
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": total,
                "dagster/column_schema": column_schema(schema),
                "inserted": inserted,
                "updated": updated,
                "flagged_deleted": deleted,
                "warehouse": warehouse.database,
            }
        )

    return [silver_incident_versions, incidents]


def _results(
    mapping: SourceMapping,
    totals: dict[str, int],
    paths: set[str],
    selected: set[dg.AssetKey],
):
    share = totals["fallback"] / totals["touched"] if totals["touched"] else 0.0
    metadata = {
        INCIDENT_VERSIONS: {
            "dagster/row_count": totals["versions"],
            "dagster/column_schema": column_schema(versions_schema(mapping.fields)),
            "bronze_records": totals["bronze"],
            "history_path": ", ".join(sorted(paths)),
            "incidents_rebuilt_from_audit": totals["from_audit"],
            "incomplete_history_share": share,
        },
        INCIDENT_REJECTS: {
            "dagster/row_count": totals["rejects"],
            "dagster/column_schema": column_schema(REJECT_SCHEMA),
            "reject_rate": totals["rejects"] / totals["bronze"] if totals["bronze"] else 0.0,
        },
        INCIDENT_AUDIT: {
            "dagster/row_count": totals["audit"],
            "dagster/column_schema": column_schema(AUDIT_SCHEMA),
        },
    }
    for table, values in metadata.items():
        if table.key in selected:
            yield dg.MaterializeResult(asset_key=table.key, metadata=values)
