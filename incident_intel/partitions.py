"""The daily partitioning shared by every layer: one partition is one UTC day of sys_updated_on."""

from __future__ import annotations

import warnings
from datetime import UTC, date, datetime, timedelta

import dagster as dg

# `backfill_policy` is beta in Dagster 1.13. The daily layers rely on single-run backfills, and
# its BetaWarning would print from every process that loads the code location.
warnings.filterwarnings("ignore", message="Parameter `backfill_policy`", category=dg.BetaWarning)


def daily_partitions(start: date) -> dg.DailyPartitionsDefinition:
    return dg.DailyPartitionsDefinition(start_date=start.isoformat(), timezone="UTC")


def partition_days(context: dg.AssetExecutionContext) -> list[date]:
    """Every day a run covers: one for a normal run, several for a single-run backfill."""
    return [date.fromisoformat(key) for key in context.partition_keys]


def day_window(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)
