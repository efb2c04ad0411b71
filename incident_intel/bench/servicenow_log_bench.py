"""`incident-intel bench servicenow-log`: the whole graph, replaying a real ServiceNow export.

The export is served by the embedded simulator in replay mode and pulled over HTTP like a live
instance, one daily partition per day of sys_updated_on, then features, models and the
evaluation report are built. Incidents opened before the cutoff train; the rest test.
Everything runs in a temporary data root with a derived config, so nothing else is touched.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from incident_intel.bench.graph_results import read_results
from incident_intel.bench.graph_run import derived_config, run_graph, timings_figures
from incident_intel.silver.mapping import load_schema_mapping


def update_days(events: Path) -> tuple[date, date]:
    """The first and last day of sys_updated_on in the export, read through its mapping."""
    export = load_schema_mapping().source("servicenow_csv_export")
    days = (
        pl.scan_csv(events, infer_schema=False)
        .select(
            export.parse_timestamps(pl.col(export.rule("sys_updated_on").source_field))
            .dt.date()
            .alias("day")
        )
        .select(pl.col("day").min().alias("first"), pl.col("day").max().alias("last"))
        .collect()
    )
    return days["first"][0], days["last"][0]


def replay_config(events: Path, cutoff: date, first_day: date, audit: bool) -> dict[str, Any]:
    return derived_config(
        partitions_start_date=first_day.isoformat(),
        simulator={
            "mode": "replay",
            "replay_csv": str(events.resolve()),
            "audit_access": audit,
        },
        features={"split": {"test_start": cutoff.isoformat()}},
        # The event log carries no free text: embeddings add nothing, and only the group
        # can be triaged from the fields that remain once the category fields are the label.
        models={"use_text_embeddings": False, "triage": {"targets": ["assignment_group"]}},
    )


def run_servicenow_log_bench(events: Path, cutoff: date, audit: bool = True) -> dict[str, Any]:
    """The graph on the replayed export; without `audit`, as a user who may not read sys_audit."""
    if not events.exists():
        raise SystemExit(f"no event log at {events}")
    first_day, last_day = update_days(events)
    timings, results = run_graph(
        replay_config(events, cutoff, first_day, audit),
        first_day.isoformat(),
        last_day.isoformat(),
        read_results,
    )
    return {
        "events": str(events),
        "cutoff": cutoff.isoformat(),
        "audit": audit,
        **timings_figures(timings),
        **results,
    }
