"""`incident-intel bench servicenow-log`: the whole graph, replaying a real ServiceNow export.

The export is served by the embedded simulator in replay mode and pulled over HTTP like a live
instance, one daily partition per day of sys_updated_on, then features, models and the
evaluation report are built. Incidents opened before the cutoff train; those opened from it
test, up to test_end when one is given. With several cutoffs, a rolling-origin backtest builds
the daily layers once and the rest once per cutoff. Everything runs in a temporary data root
with a derived config, so nothing else is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from incident_intel.bench.backtest import rolling_origin
from incident_intel.bench.backtest_summary import headline_table
from incident_intel.bench.graph_results import read_results
from incident_intel.bench.graph_run import (
    derived_config,
    run_graph,
    temporary_graph_root,
    timings_figures,
    write_config,
)
from incident_intel.settings import ProjectSettings, config_path
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


def export_days(events: Path, cutoffs: Sequence[date]) -> tuple[date, date]:
    """The export's first and last day, once every cutoff is known to fall inside them.

    Checked before the daily layers run, which take minutes, rather than found by a model
    with nothing to train or test on.
    """
    if not events.exists():
        raise SystemExit(f"no event log at {events}")
    first_day, last_day = update_days(events)
    outside = [c.isoformat() for c in cutoffs if not first_day < c <= last_day]
    if outside:
        raise SystemExit(
            f"cutoff {', '.join(outside)} outside the export: a cutoff must fall after its "
            f"first day {first_day} and on or before its last day {last_day}"
        )
    return first_day, last_day


def replay_config(
    events: Path, cutoff: date, test_end: date | None, first_day: date, audit: bool
) -> dict[str, Any]:
    return derived_config(
        partitions_start_date=first_day.isoformat(),
        simulator={
            "mode": "replay",
            "replay_csv": str(events.resolve()),
            "audit_access": audit,
        },
        features={
            "split": {
                "test_start": cutoff.isoformat(),
                "test_end": test_end.isoformat() if test_end else None,
            }
        },
        # The event log carries no free text: embeddings add nothing, and only the group
        # can be triaged from the fields that remain once the category fields are the label.
        models={"use_text_embeddings": False, "triage": {"targets": ["assignment_group"]}},
    )


def run_servicenow_log_bench(
    events: Path, cutoff: date, test_days: int | None = None, audit: bool = True
) -> dict[str, Any]:
    """The graph on the replayed export; without `audit`, as a user who may not read sys_audit."""
    first_day, last_day = export_days(events, [cutoff])
    test_end = cutoff + timedelta(days=test_days) if test_days else None
    timings, results = run_graph(
        replay_config(events, cutoff, test_end, first_day, audit),
        first_day.isoformat(),
        last_day.isoformat(),
        read_results,
    )
    return {
        "events": str(events),
        "cutoff": cutoff.isoformat(),
        **({"test_end": test_end.isoformat()} if test_end else {}),
        "audit": audit,
        **timings_figures(timings),
        **results,
    }


def run_servicenow_log_backtest(
    events: Path, cutoffs: Sequence[date], test_days: int, audit: bool = True
) -> dict[str, Any]:
    """A rolling-origin backtest on the replayed export: one train/test draw per cutoff."""
    from incident_intel.run.instance import ensure_dagster_home
    from incident_intel.run.layers import (
        asset_selections,
        materialize_daily,
        materialize_unpartitioned,
        say,
    )

    first_day, last_day = export_days(events, cutoffs)
    first, last = first_day.isoformat(), last_day.isoformat()
    base = replay_config(events, cutoffs[0], None, first_day, audit)
    with temporary_graph_root(base) as data:
        ensure_dagster_home()
        settings = ProjectSettings.from_mapping(base)
        selections = asset_selections(settings)

        def run_daily() -> float:
            say(f"Bronze and silver for {first} … {last}, once for every cutoff")
            return materialize_daily(selections.daily, first, last)

        def run_cutoff(cutoff: date, test_end: date) -> tuple[float, bool]:
            # Each `dagster asset materialize` loads the definitions, and so the config, anew.
            write_config(config_path(), replay_config(events, cutoff, test_end, first_day, audit))
            return materialize_unpartitioned(selections.unpartitioned)

        backtest = rolling_origin(
            data,
            cutoffs,
            test_days,
            run_daily,
            run_cutoff,
            settings.models.resolution_time.interval_coverage,
            say,
        )
    say(headline_table(backtest))
    return {"events": str(events), "audit": audit, **backtest}
