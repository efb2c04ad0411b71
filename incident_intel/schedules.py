"""Schedules: each day's partition is pulled shortly after the day closes (UTC)."""

import dagster as dg


def daily_ingest_schedule(partitions: dg.PartitionsDefinition) -> dg.ScheduleDefinition:
    job = dg.define_asset_job(
        "daily_ingest",
        selection=dg.AssetSelection.all(),
        partitions_def=partitions,
        description="Pull the newest day from the source and refresh everything downstream.",
    )
    return dg.build_schedule_from_partitioned_job(job, hour_of_day=0, minute_of_hour=30)
