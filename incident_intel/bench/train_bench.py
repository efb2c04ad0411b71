"""`incident-intel bench train`: the whole graph on N synthetic incidents, timed by stage."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from incident_intel.bench.graph_results import candidate_cards, figures_from_cards
from incident_intel.bench.graph_run import derived_config, run_graph, timings_figures
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_FEATURES

LAST_DAY = date(2026, 3, 31)


def _read(data: Path) -> dict[str, Any]:
    paths = LakePaths(data)
    features = pl.read_parquet(paths.table_file(INCIDENT_FEATURES))
    return {
        "incidents": features.height,
        **figures_from_cards(candidate_cards(ModelStore(paths.models))),
    }


def run_train_bench(incidents: int, days: int = 30) -> dict[str, Any]:
    """About `incidents` incidents opened over `days` days, then every asset on them."""
    first = LAST_DAY - timedelta(days=days - 1)
    # Incidents updated in the window include some opened before it, hence the 0.9.
    config = derived_config(
        simulator={"incidents_per_day": round(0.9 * incidents / days), "start_date": "2025-12-01"}
    )
    timings, results = run_graph(config, first.isoformat(), LAST_DAY.isoformat(), _read)
    return {**timings_figures(timings), **results}
