"""`incident-intel run`: materialise the whole graph for the last days, then summarise it."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from incident_intel.run.console import run_with_progress
from incident_intel.run.instance import (
    dagster_executable,
    ensure_dagster_home,
    quiet_environment,
    serve_ui,
)
from incident_intel.run.recovery import sweeping_dead_runs
from incident_intel.run.summary import print_summary
from incident_intel.settings import PROJECT_ROOT, ProjectSettings, data_dir

if TYPE_CHECKING:
    import dagster as dg

DEFINITIONS_MODULE = "incident_intel.definitions"
# Run config for the code location's default executor, `multi_or_in_process_executor`. The
# multiprocess executor starts a process per step, and each loads the code location again (2 to
# 3 s on two cores), which costs bronze, silver and scoring steps more than their work does; in
# one process those steps run one after another, still claiming their pool slots. The models'
# run keeps a process per step, so that two models train side by side.
IN_PROCESS_RUN_CONFIG = {"execution": {"config": {"in_process": {}}}}
# The models' run forks each step's process from a server that has imported the code location
# and the models' training code once, instead of spawning a fresh interpreter that imports them
# again: every one of its steps is on the way from the features to the evaluation report, and
# each spent 3 to 4 s (of two busy cores) importing before it started.
TRAINING_MODULES = [
    "incident_intel.ml.archetypes.training",
    "incident_intel.ml.breach.training",
    "incident_intel.ml.resolution_time.training",
    "incident_intel.ml.triage.training",
]
MODELS_RUN_CONFIG = {
    "execution": {
        "config": {
            "multiprocess": {
                "start_method": {
                    "forkserver": {"preload_modules": [DEFINITIONS_MODULE, *TRAINING_MODULES]}
                }
            }
        }
    }
}


def last_partition_range(settings: ProjectSettings, days: int) -> tuple[str, str]:
    from incident_intel.partitions import daily_partitions

    keys = daily_partitions(settings.partitions_start_date).get_partition_keys()
    if not keys:
        raise SystemExit(
            f"no complete daily partition since partitions_start_date "
            f"{settings.partitions_start_date}: set an earlier date in the configuration"
        )
    chosen = keys[-days:]
    return chosen[0], chosen[-1]


class Selections(NamedTuple):
    """The graph in the three runs it takes, as `--select` strings for the CLI."""

    daily: str  # bronze and silver: partitioned, run over a window in one run
    unpartitioned: str  # features, models and reports
    # Partitioned again, downstream of the models, and what reads its scores (the dashboard):
    # run for the last day, in one run, so each scoring run rebuilds the dashboard.
    scoring: str


def asset_selections(settings: ProjectSettings) -> Selections:
    """`dagster asset materialize --partition-range` takes only single-run partitioned assets,
    so the unpartitioned layers run in a second command, and what scores with their models
    in a third. An unpartitioned asset downstream of the scoring joins that third run: a run
    with a partition key materialises its unpartitioned assets whole, after their parents."""
    from incident_intel.definitions import build_definitions

    graph = build_definitions(settings, data_dir()).resolve_asset_graph()
    keys = sorted(graph.materializable_asset_keys, key=lambda k: k.to_user_string())

    def parents(key: dg.AssetKey) -> list[dg.AssetKey]:
        return [p for p in graph.get(key).parent_keys if graph.has(p)]

    def after_unpartitioned(key: dg.AssetKey) -> bool:
        return any(not graph.get(p).partitions_def or after_unpartitioned(p) for p in parents(key))

    def scoring(key: dg.AssetKey) -> bool:
        """Scores with the models, or reads what they scored."""
        if graph.get(key).partitions_def:
            return after_unpartitioned(key)
        return any(scoring(p) for p in parents(key))

    groups: dict[str, list[str]] = {"daily": [], "unpartitioned": [], "scoring": []}
    for key in keys:
        if scoring(key):
            group = "scoring"
        else:
            group = "unpartitioned" if not graph.get(key).partitions_def else "daily"
        groups[group].append(key.to_user_string())
    return Selections(**{name: ",".join(members) for name, members in groups.items()})


def materialize(selection: str, window: list[str], in_process: bool = False) -> bool:
    """`dagster asset materialize` for a selection and partition window, with progress lines."""
    ensure_dagster_home()
    log_file = data_dir() / "logs" / "materialize.log"
    run_config = IN_PROCESS_RUN_CONFIG if in_process else None
    return _materialize(log_file, selection, *window, run_config=run_config)


def _materialize(
    log_file: Path, selection: str, *partition_args: str, run_config: dict | None = None
) -> bool:
    executor = ["--config-json", json.dumps(run_config)] if run_config else []
    command = [
        dagster_executable(),
        "asset",
        "materialize",
        "-m",
        DEFINITIONS_MODULE,
        "--select",
        selection,
        *partition_args,
        *executor,
    ]
    # A run killed earlier may still hold the warehouse slot this run's writers wait for.
    with sweeping_dead_runs():
        status = run_with_progress(command, log_file, cwd=PROJECT_ROOT, env=quiet_environment())
    return status == 0


def say(line: str) -> None:
    """Progress goes to stderr, so a benchmark's stdout stays one JSON line."""
    print(line, file=sys.stderr, flush=True)


def run_log() -> Path:
    return data_dir() / "logs" / "run.log"


def materialize_daily(selection: str, first: str, last: str) -> float:
    """The daily layers for first...last in one run; the seconds it took. A failure stops.

    A single day is a plain partition run, as the daily schedule starts.
    """
    started = time.perf_counter()
    window = ["--partition", first] if first == last else ["--partition-range", f"{first}...{last}"]
    if not _materialize(run_log(), selection, *window, run_config=IN_PROCESS_RUN_CONFIG):
        raise SystemExit(f"materialising the daily layers failed; see above and {run_log()}")
    return time.perf_counter() - started


def materialize_unpartitioned(selection: str) -> tuple[float, bool]:
    """Features, models and reports: the seconds they took, and whether the run succeeded.

    A failed run (say, a model that did not beat its baseline) is left to the caller, which
    still has figures and checks to show.
    """
    started = time.perf_counter()
    succeeded = _materialize(run_log(), selection, run_config=MODELS_RUN_CONFIG)
    return time.perf_counter() - started, succeeded


def materialize_scoring(selection: str, day: str, last: str | None = None) -> tuple[float, bool]:
    """The open incidents of `day` (or of every day from it to `last`, in one run) scored with
    the models just trained, and what reads the scores (the dashboard) rebuilt on them: the
    seconds, and success."""
    started = time.perf_counter()
    window = ["--partition-range", f"{day}...{last}"] if last else ["--partition", day]
    succeeded = _materialize(run_log(), selection, *window, run_config=IN_PROCESS_RUN_CONFIG)
    return time.perf_counter() - started, succeeded


def materialize_layers(settings: ProjectSettings, first: str, last: str) -> tuple[dict, bool]:
    """Every asset: the daily layers for first...last in one run, then the rest, then the
    scoring of the last day.

    Returns the seconds each run took, and whether the runs after the first succeeded.
    """
    selections = asset_selections(settings)
    run_log().unlink(missing_ok=True)
    say(f"[1/3] Bronze and silver for {first} … {last} (full log: {run_log()})")
    timings = {"daily_layers": materialize_daily(selections.daily, first, last)}
    say("[2/3] Features, models and reports")
    timings["features_models_reports"], succeeded = materialize_unpartitioned(
        selections.unpartitioned
    )
    if not succeeded:
        return timings, False
    say(f"[3/3] Open incidents of {last} scored, and the dashboard rebuilt")
    timings["open_incident_scores"], succeeded = materialize_scoring(selections.scoring, last)
    return timings, succeeded


def run(days: int, ui: bool) -> None:
    settings = ProjectSettings.load()
    ensure_dagster_home()
    first, last = last_partition_range(settings, days)
    _, succeeded = materialize_layers(settings, first, last)
    print_summary(data_dir())
    if not succeeded:
        raise SystemExit("features, models, reports or scoring failed: see the failed checks above")
    if ui:
        print("Starting the Dagster UI on http://127.0.0.1:3000 (Ctrl-C to stop)", flush=True)
        serve_ui()
