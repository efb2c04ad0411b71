"""`incident-intel bench partition`: what one daily partition of bronze and silver costs through
the real command line, and how much of it is loading the code location."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from incident_intel.bench.graph_run import derived_config, temporary_graph_root
from incident_intel.ingest.bronze import BronzeManifest
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_PAGES, INCIDENT_VERSIONS

# A fixed day, so that every measurement pulls the same synthetic incidents: late enough for the
# simulator's backlog (from its start_date) to have reached its steady size.
DEFAULT_DAY = date(2026, 3, 31)
IMPORT_SAMPLES = 3


def code_location_import_seconds(samples: int = IMPORT_SAMPLES) -> float:
    """The median wall time of a fresh interpreter loading the code location, as each run
    (and, under the multiprocess executor, each step) does."""
    command = [sys.executable, "-c", "import incident_intel.definitions"]
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        subprocess.run(command, check=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def partition_counts(data: Path, day: date) -> dict[str, int]:
    """The incident records pulled for the day, and the versions silver rebuilt from them."""
    import pyarrow.parquet as pq

    paths = LakePaths(data)
    manifest = BronzeManifest.read(paths.partition_dir(INCIDENT_PAGES, day))
    versions = pq.read_metadata(paths.partition_file(INCIDENT_VERSIONS, day)).num_rows
    return {"partition_incident_records": manifest.record_count, "partition_versions": versions}


def run_partition_bench(day: date = DEFAULT_DAY) -> dict[str, Any]:
    """Time the code location's import, then bronze, silver and the merge for `day` through
    `dagster asset materialize` in a throwaway data root on the embedded simulator."""
    from incident_intel.run.instance import ensure_dagster_home
    from incident_intel.run.layers import asset_selections, materialize_daily, say
    from incident_intel.settings import ProjectSettings

    # Start-up is CPU-bound: other work on the machine shows directly in these figures.
    load_before = os.getloadavg()[0]
    say("Timing the code location's import")
    import_seconds = code_location_import_seconds()
    config = derived_config()
    with temporary_graph_root(config) as data:
        ensure_dagster_home()
        selection = asset_selections(ProjectSettings.from_mapping(config)).daily
        say(f"Bronze, silver and the merge for {day} through the Dagster command line")
        partition_seconds = materialize_daily(selection, day.isoformat(), day.isoformat())
        counts = partition_counts(data, day)
    return {
        "code_location_import_seconds": round(import_seconds, 2),
        "partition_cli_seconds": round(partition_seconds, 1),
        "partition": day.isoformat(),
        **counts,
        "cpu_count": os.cpu_count(),
        "load_average_before": round(load_before, 2),
    }
