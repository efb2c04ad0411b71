"""Bronze: the source's pages for each day, kept exactly as received."""

from collections.abc import Callable
from datetime import date, datetime

import dagster as dg

from incident_intel.ingest.bronze import BronzeManifest, write_bronze_partition
from incident_intel.ingest.servicenow_client import SourceForbiddenError
from incident_intel.ingest.source import AUDIT_TABLES, IncidentSource
from incident_intel.partitions import day_window, partition_days
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import INCIDENT_AUDIT_PAGES, INCIDENT_PAGES, Table


def _write_days(
    context: dg.AssetExecutionContext,
    source: IncidentSource,
    table: Table,
    write_day: Callable[[date, datetime, datetime], BronzeManifest],
) -> dg.MaterializeResult:
    pages = records = 0
    per_day: list[str] = []
    forbidden: set[str] = set()
    days = partition_days(context)
    for done, day in enumerate(days, start=1):
        start, end = day_window(day)
        manifest = write_day(day, start, end)
        pages += manifest.page_count
        records += manifest.record_count
        forbidden.update(manifest.forbidden)
        refused = f" ({', '.join(manifest.forbidden)} forbidden)" if manifest.forbidden else ""
        per_day.append(f"| {day} | {manifest.page_count} | {manifest.record_count}{refused} |")
        context.log.info(
            f"partition {done}/{len(days)} {day}: {manifest.record_count} {table.name} records "
            f"in {manifest.page_count} pages from {manifest.source_url}{refused}"
        )
    table_md = "| day | pages | records |\n|---|---|---|\n" + "\n".join(per_day)
    metadata: dict = {
        "dagster/row_count": records,
        "pages": pages,
        "source_url": source.url,
        "partitions": dg.MetadataValue.md(table_md),
    }
    if table == INCIDENT_AUDIT_PAGES:
        metadata["audit_access"] = "forbidden" if forbidden else "granted"
    return dg.MaterializeResult(metadata=metadata)


def build_bronze_assets(partitions: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The bronze assets on the project's daily partitions (their start date is a setting)."""

    @dg.asset(
        key=INCIDENT_PAGES.key,
        group_name=INCIDENT_PAGES.layer,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"json"},
    )
    def incident_pages(
        context: dg.AssetExecutionContext, source: IncidentSource, lake: LakeResource
    ) -> dg.MaterializeResult:
        """The incident table's pages for each day: the current state of every incident whose
        last update falls on that day, as received."""

        def write_day(day: date, start: datetime, end: datetime) -> BronzeManifest:
            return write_bronze_partition(
                lake.paths.partition_dir(INCIDENT_PAGES, day),
                source.pull_window(start, end),
                source_url=source.url,
                window_start=start,
                window_end=end,
            )

        return _write_days(context, source, INCIDENT_PAGES, write_day)

    # After the incident pages: a change made between the two pulls is then in the trail, and
    # never only in a record that is ahead of the trail pulled.
    @dg.asset(
        key=INCIDENT_AUDIT_PAGES.key,
        deps=[INCIDENT_PAGES.key],
        group_name=INCIDENT_AUDIT_PAGES.layer,
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        kinds={"json"},
    )
    def incident_audit_pages(
        context: dg.AssetExecutionContext, source: IncidentSource, lake: LakeResource
    ) -> dg.MaterializeResult:
        """The audit trail written each day: every field change of an incident (sys_audit) and
        every deletion (sys_audit_delete), as received. A credential that may not read it
        leaves a partition marked forbidden, and silver falls back to snapshots."""

        def write_day(day: date, start: datetime, end: datetime) -> BronzeManifest:
            directory = lake.paths.partition_dir(INCIDENT_AUDIT_PAGES, day)
            common = {"source_url": source.url, "window_start": start, "window_end": end}
            try:
                return write_bronze_partition(
                    directory, source.pull_audit_window(start, end), **common
                )
            except SourceForbiddenError as refused:
                context.log.warning(f"{day}: {refused}; silver rebuilds no history from it")
                return write_bronze_partition(directory, [], forbidden=list(AUDIT_TABLES), **common)

        return _write_days(context, source, INCIDENT_AUDIT_PAGES, write_day)

    return [incident_pages, incident_audit_pages]
