"""`incident-intel bench faults`: a fault matrix against the simulator, silver vs ground truth.

Each scenario pulls synthetic days over HTTP on loopback into a temporary data root through
the real bronze and silver assets, then counts the ground-truth versions missing from silver
(`lost`) and the keys silver holds twice (`duplicated`). `hard_kill_then_rerun` SIGKILLs a real
`dagster asset materialize` mid-bronze and reruns as `incident-intel materialize` does.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from incident_intel.bench.faults_lake import (
    DAY,
    INCIDENTS_PER_DAY,
    compare_with_truth,
    materialize_day,
    silver_rejects,
    silver_versions,
    synthetic_store,
)
from incident_intel.ingest.source import ServiceNowIncidentSource, SimulatedIncidentSource
from incident_intel.settings import SimulatorSection, SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.reader import lake_reader

USER, PASSWORD = "admin", "simulator"
FAST_RETRIES = {"backoff_initial_seconds": 0.01, "backoff_max_seconds": 0.05, "max_attempts": 8}
# (name, faults, simulator settings, pull settings), as test_live_simulator runs them.
HTTP_FAULTS: list[tuple[str, FaultSettings, dict, dict]] = [
    ("rate_limit_429", FaultSettings(), {"rate_limit_per_second": 10, "rate_limit_burst": 2}, {}),
    ("server_errors_5xx", FaultSettings(seed=1, error_rate=0.3), {}, {}),
    (
        "timeouts",
        FaultSettings(seed=8, latency_ms=600, latency_rate=0.3),
        {},
        {"timeout_seconds": 0.25},
    ),
    ("truncated_bodies", FaultSettings(seed=2, truncated_body_rate=0.3), {}, {}),
    ("updates_while_paging", FaultSettings(seed=5, update_during_paging_rate=0.5), {}, {}),
    ("duplicate_rows", FaultSettings(seed=3, duplicate_row_rate=0.5), {}, {}),
    ("short_pages", FaultSettings(seed=4, short_page_rate=0.5), {}, {}),
]
REPLAY_DAY = date(2016, 3, 1)
REPLAY_CSV = (
    "number,incident_state,sys_mod_count,opened_at,sys_updated_at,priority\n"
    "INC0000001,New,0,1/3/2016 09:00,1/3/2016 09:00,3 - Moderate\n"
    # The update time of this version does not parse: no window can serve it.
    "INC0000001,Active,1,1/3/2016 09:00,31/2/2016 99:99,3 - Moderate\n"
    "INC0000002,New,0,1/3/2016 10:00,1/3/2016 10:00,2 - High\n"
    "INC0000002,Active,1,1/3/2016 10:00,1/3/2016 11:00,2 - High\n"
)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _server(store, faults: FaultSettings | None = None, **settings) -> SimulatorServer:
    faults = faults or FaultSettings()
    return SimulatorServer(
        store, SimulatorSettings(username=USER, password=PASSWORD, faults=faults, **settings)
    )


def _source(server: SimulatorServer, **pull) -> ServiceNowIncidentSource:
    pull = {"page_size": 100, **FAST_RETRIES, **pull}
    return ServiceNowIncidentSource(
        instance_url=server.url, username=USER, password=PASSWORD, pull=SourceSettings(**pull)
    )


def http_fault(root: Path, faults: FaultSettings, served: dict, pull: dict) -> dict[str, Any]:
    """One synthetic day through bronze and silver against a simulator with `faults`."""
    store = synthetic_store(INCIDENTS_PER_DAY)
    with _server(store, faults, **served) as server:
        run = materialize_day(root, _source(server, **pull), DAY)
    return {**compare_with_truth(root, store, [DAY]), **run}


def reader_held_open(root: Path) -> dict[str, Any]:
    """A lake_reader held open while two days are ingested (one of them rewritten)."""
    store, days = synthetic_store(INCIDENTS_PER_DAY), [DAY, DAY + timedelta(days=1)]
    seen = []
    with _server(store) as server:
        source = _source(server)
        runs = [materialize_day(root, source, DAY)]  # so the reader has views to hold
        with lake_reader(LakePaths(root)) as reader:
            count = "SELECT count(*) FROM silver.incident_versions"
            seen.append(reader.execute(count).fetchall()[0][0])
            for day in reversed(days):  # the next day, then today's partition rewritten
                runs.append(materialize_day(root, source, day))
                seen.append(reader.execute(count).fetchall()[0][0])
    figures = compare_with_truth(root, store, days)
    return {
        **figures,
        "run_succeeded": all(r["run_succeeded"] for r in runs),
        "failed_checks": sorted({c for r in runs for c in r["failed_checks"]}),
        "versions_seen_by_reader": seen,
    }


def bad_export(root: Path) -> dict[str, Any]:
    """A replayed export with an unparseable update time: every row a version or a reject."""
    from incident_intel.ingest.assets import build_bronze_assets
    from incident_intel.partitions import daily_partitions
    from incident_intel.silver.assets import build_silver_assets

    csv = root / "export.csv"
    csv.write_text(REPLAY_CSV)
    partitions = daily_partitions(date(2016, 2, 29))
    assets = [*build_bronze_assets(partitions), build_silver_assets(partitions)[0]]
    source = SimulatedIncidentSource(simulator=SimulatorSection(mode="replay", replay_csv=str(csv)))
    run = materialize_day(root / "data", source, REPLAY_DAY, assets)
    # A row is (number, sys_mod_count): found among the versions, or in a reject's raw record.
    rows = {(line.split(",")[0], line.split(",")[2]) for line in REPLAY_CSV.splitlines()[1:]}
    versions = silver_versions(root / "data", [REPLAY_DAY])
    rejects = silver_rejects(root / "data", [REPLAY_DAY])
    accounted = {(r["number"], str(r["sys_mod_count"])) for r in versions.iter_rows(named=True)}
    for raw in map(json.loads, rejects["raw_record"].to_list() if rejects.height else []):
        accounted.add((raw["number"]["value"], raw["sys_mod_count"]["value"]))
    lost = len(rows - accounted)
    repeated = versions.height - versions.select("sys_id", "sys_updated_on").unique().height
    return {
        "equal_to_truth": lost == 0 and versions.height + rejects.height == len(rows),
        "lost": lost,
        "duplicated": repeated,
        "csv_rows": len(rows),
        "silver_versions": versions.height,
        "silver_rejects": rejects.height,
        "partition_failed_loudly": not run["run_succeeded"]
        and any(c.endswith("reject_rate") for c in run["failed_checks"]),
        **run,
    }


def run_faults_bench(only: list[str] | None = None) -> dict[str, Any]:
    from incident_intel.bench.faults_kill import hard_kill_then_rerun

    scenarios: list[tuple[str, Callable[[Path], dict]]] = [
        (name, lambda root, f=f, s=s, p=p: http_fault(root, f, s, p))
        for name, f, s, p in HTTP_FAULTS
    ]
    scenarios += [
        ("hard_kill_then_rerun", hard_kill_then_rerun),
        ("reader_held_open", reader_held_open),
        ("bad_export", bad_export),
    ]
    unknown = set(only or ()) - {name for name, _ in scenarios}
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    results = []
    for name, scenario in scenarios:
        if only and name not in only:
            continue
        _say(f"[faults] {name} …")
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"incident-intel-faults-{name}-") as tmp:
            figures = scenario(Path(tmp))
        figures = {"name": name, **figures, "seconds": round(time.perf_counter() - started, 1)}
        _say(f"[faults] {name}: lost {figures['lost']}, duplicated {figures['duplicated']}")
        results.append(figures)
    return {
        "day": DAY.isoformat(),
        "scenarios": results,
        "all_equal_to_truth": all(s["equal_to_truth"] for s in results),
    }
