"""Bronze: the source's pages for each day, kept exactly as received."""

import dagster as dg

from incident_intel.defs.partitions import daily_partitions, day_window, partition_days
from incident_intel.lake.bronze import write_bronze_partition
from incident_intel.resources.incident_source import IncidentSource
from incident_intel.resources.lake import LakeResource

BRONZE_TABLE = "incident_pages"


@dg.asset(
    key=["bronze", BRONZE_TABLE],
    group_name="bronze",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"json"},
)
def incident_pages(
    context: dg.AssetExecutionContext, source: IncidentSource, lake: LakeResource
) -> dg.MaterializeResult:
    """Raw incident-table pages pulled from the source for each day of sys_updated_on."""
    pages = records = 0
    per_day: list[str] = []
    for day in partition_days(context):
        start, end = day_window(day)
        manifest = write_bronze_partition(
            lake.paths.bronze_partition(BRONZE_TABLE, day),
            source.pull_window(start, end),
            source_url=source.url,
            window_start=start,
            window_end=end,
        )
        pages += manifest.page_count
        records += manifest.record_count
        per_day.append(f"| {day} | {manifest.page_count} | {manifest.record_count} |")
        context.log.info(
            f"{day}: {manifest.record_count} records in {manifest.page_count} pages "
            f"from {manifest.source_url}"
        )
    table = "| day | pages | records |\n|---|---|---|\n" + "\n".join(per_day)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": records,
            "pages": pages,
            "source_url": source.url,
            "partitions": dg.MetadataValue.md(table),
        }
    )
