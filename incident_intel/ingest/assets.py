"""Bronze: the source's pages for each day, kept exactly as received."""

import dagster as dg

from incident_intel.ingest.bronze import write_bronze_partition
from incident_intel.ingest.source import IncidentSource
from incident_intel.partitions import day_window, partition_days
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import INCIDENT_PAGES


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
        """Raw incident-table pages pulled from the source for each day of sys_updated_on."""
        pages = records = 0
        per_day: list[str] = []
        days = partition_days(context)
        for done, day in enumerate(days, start=1):
            start, end = day_window(day)
            manifest = write_bronze_partition(
                lake.paths.partition_dir(INCIDENT_PAGES, day),
                source.pull_window(start, end),
                source_url=source.url,
                window_start=start,
                window_end=end,
            )
            pages += manifest.page_count
            records += manifest.record_count
            per_day.append(f"| {day} | {manifest.page_count} | {manifest.record_count} |")
            context.log.info(
                f"partition {done}/{len(days)} {day}: {manifest.record_count} records in "
                f"{manifest.page_count} pages from {manifest.source_url}"
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

    return [incident_pages]
