"""The daily partitioning shared by every layer: one partition is one sys_updated_on day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from incident_intel.settings import load_config

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=str(load_config()["partitions_start_date"]), timezone="UTC"
)


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """Every day a run covers: one for a normal run, several for a single-run backfill."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)
