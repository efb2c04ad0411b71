"""Bronze: the source's pages for each day, kept exactly as received."""

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

import dagster as dg

from incident_intel.ingest.bronze import BronzeManifest, write_bronze_partition
from incident_intel.ingest.servicenow_client import PulledPage, SourceForbiddenError
from incident_intel.ingest.source import AUDIT_TABLES, IncidentSource
from incident_intel.metadata import column_schema
from incident_intel.partitions import day_window, partition_days
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import INCIDENT_AUDIT_PAGES, INCIDENT_PAGES, Table

JSON_TYPES = {str: "string", bool: "boolean", int: "number", float: "number", dict: "object"}


def noting_fields(pages: Iterable[PulledPage], fields: dict[str, str]) -> Iterator[PulledPage]:
    """The pages, passed through, with each record field's JSON type noted in `fields`: the
    column schema of records kept as received."""
    for page in pages:
        for record in page.records:
            for name, value in record.items():
                if value is not None and fields.get(name, "null") == "null":
                    fields[name] = _json_type(value)
                else:
                    fields.setdefault(name, "null")
        yield page


def _json_type(value: Any) -> str:
    return JSON_TYPES.get(type(value), "array" if isinstance(value, list) else "string")


def _write_days(
    context: dg.AssetExecutionContext,
    source: IncidentSource,
    table: Table,
    write_day: Callable[[date, datetime, datetime, dict[str, str]], BronzeManifest],
) -> dg.MaterializeResult:
    pages = records = 0
    fields: dict[str, str] = {}
    per_day: list[str] = []
    forbidden: set[str] = set()
    days = partition_days(context)
    for done, day in enumerate(days, start=1):
        start, end = day_window(day)
        manifest = write_day(day, start, end, fields)
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
        "dagster/column_schema": column_schema(dict(sorted(fields.items()))),
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

        def write_day(
            day: date, start: datetime, end: datetime, fields: dict[str, str]
        ) -> BronzeManifest:
            return write_bronze_partition(
                lake.paths.partition_dir(INCIDENT_PAGES, day),
                noting_fields(source.pull_window(start, end), fields),
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

        def write_day(
            day: date, start: datetime, end: datetime, fields: dict[str, str]
        ) -> BronzeManifest:
            directory = lake.paths.partition_dir(INCIDENT_AUDIT_PAGES, day)
            common = {"source_url": source.url, "window_start": start, "window_end": end}
            pages = noting_fields(source.pull_audit_window(start, end), fields)
            try:
                return write_bronze_partition(directory, pages, **common)
            except SourceForbiddenError as refused:
                context.log.warning(f"{day}: {refused}; silver rebuilds no history from it")
                return write_bronze_partition(directory, [], forbidden=list(AUDIT_TABLES), **common)

        return _write_days(context, source, INCIDENT_AUDIT_PAGES, write_day)

    return [incident_pages, incident_audit_pages]
