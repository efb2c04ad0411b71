"""Schedules: each day's partition is pulled shortly after the day closes (UTC)."""

import dagster as dg

from incident_intel.defs.partitions import daily_partitions

daily_ingest_job = dg.define_asset_job(
    "daily_ingest",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Pull the newest day from the source and refresh everything downstream.",
)

daily_ingest_schedule = dg.build_schedule_from_partitioned_job(
    daily_ingest_job, hour_of_day=0, minute_of_hour=30
)
