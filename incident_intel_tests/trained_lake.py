"""A small lake with every model trained, built once per test session and shared.

Bronze and silver come from the simulator over loopback; gold, the models and the report are
materialised in process. Tests that score, serve or report read it and must not change it,
apart from retraining the same data (which rewrites the same versions).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg

from incident_intel.bench.faults_lake import lake_resources, synthetic_store
from incident_intel.gold import assets as gold
from incident_intel.gold.embedding_model import EmbeddingModelResource
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.ml.archetypes import assets as archetypes
from incident_intel.ml.breach import assets as breach
from incident_intel.ml.resolution_time import assets as resolution_time
from incident_intel.ml.triage import assets as triage
from incident_intel.partitions import daily_partitions
from incident_intel.reports import assets as reports
from incident_intel.reports.dashboard import assets as dashboard
from incident_intel.scoring.assets import build_open_incident_scores
from incident_intel.settings import SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel_tests.integration.harness import materialize

FIRST_DAY, LAST_DAY = "2026-01-06", "2026-01-20"
DOWNSTREAM = dg.load_assets_from_modules(
    [gold, breach, resolution_time, triage, archetypes, reports]
)


def materialize_downstream(root: Path, selection=None) -> dg.ExecuteInProcessResult:
    """Gold, the models and the report over the lake at `root`."""
    result = dg.materialize(
        DOWNSTREAM,
        selection=selection,
        resources={**lake_resources(root), "embedding_model": EmbeddingModelResource()},
    )
    assert result.success
    return result


def build_trained_lake(root: Path) -> dg.ExecuteInProcessResult:
    """Fifteen days of 300 synthetic incidents a day, pulled, and every model trained on them."""
    store = synthetic_store(incidents_per_day=300, seed=5)
    with SimulatorServer(store, SimulatorSettings(token="t")) as server:
        source = ServiceNowIncidentSource(
            instance_url=server.url, token="t", pull=SourceSettings(page_size=1000)
        )
        materialize(
            root,
            source,
            tags={
                "dagster/asset_partition_range_start": FIRST_DAY,
                "dagster/asset_partition_range_end": LAST_DAY,
            },
        )
    return materialize_downstream(root)


def score_and_build_dashboard(root: Path) -> dg.ExecuteInProcessResult:
    """The last day's open incidents scored and the dashboard built on them, in one run, as
    `make run` does in its third step."""
    scoring = build_open_incident_scores(daily_partitions(date.fromisoformat(FIRST_DAY)))
    result = dg.materialize(
        [scoring, *dg.load_assets_from_modules([dashboard])],
        partition_key=LAST_DAY,
        resources=lake_resources(root),
    )
    assert result.success
    return result
