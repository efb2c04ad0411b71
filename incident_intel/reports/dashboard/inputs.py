"""What the dashboard reads from the lake. Each piece may be missing (a lake with no scoring
yet, or no drift figures), and its view then says so instead of the page failing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from incident_intel.reports.dashboard.drift import load_drift
from incident_intel.settings import DriftSettings
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import PARQUET_FILE, LakePaths
from incident_intel.storage.tables import (
    INCIDENT_CLUSTERS,
    INCIDENT_FEATURES,
    MODEL_EVALUATION,
    OPEN_INCIDENT_SCORES,
    OPS_DAILY_STATS,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

MODELS = (SLA_BREACH_MODEL, RESOLUTION_TIME_MODEL, TRIAGE_MODEL, INCIDENT_CLUSTERS)
ARRIVAL_COLUMNS = ["opened_hour", "opened_weekday", "sla_breached"]
REPORT_FILE = "report.json"


@dataclass(frozen=True)
class DashboardInputs:
    ops_stats: pl.DataFrame | None
    arrivals: pl.DataFrame | None  # one row per incident: its hour, weekday and breach label
    evaluation: dict[str, Any] | None  # reports/model_evaluation's report.json
    cards: dict[str, list[dict[str, Any]]]  # each model's saved cards, oldest first
    scores: pl.DataFrame | None  # the newest partition of gold/open_incident_scores
    scores_day: date | None
    drift: pl.DataFrame | None  # see drift.py for its columns


def newest_scored_day(paths: LakePaths) -> date | None:
    """The newest partition key of gold/open_incident_scores that has been written."""
    written = paths.table_dir(OPEN_INCIDENT_SCORES).glob(f"date=*/{PARQUET_FILE}")
    days = [date.fromisoformat(p.parent.name.removeprefix("date=")) for p in written]
    return max(days, default=None)


def _parquet(path, columns: list[str] | None = None) -> pl.DataFrame | None:
    return pl.read_parquet(path, columns=columns) if path.exists() else None


def read_inputs(paths: LakePaths, drift: DriftSettings) -> DashboardInputs:
    report = paths.table_dir(MODEL_EVALUATION) / REPORT_FILE
    store = ModelStore(paths.models)
    day = newest_scored_day(paths)
    return DashboardInputs(
        ops_stats=_parquet(paths.table_file(OPS_DAILY_STATS)),
        arrivals=_parquet(paths.table_file(INCIDENT_FEATURES), ARRIVAL_COLUMNS),
        evaluation=json.loads(report.read_text()) if report.exists() else None,
        cards={m.name: store.saved_cards(m.name) for m in MODELS},
        scores=None
        if day is None
        else pl.read_parquet(paths.partition_file(OPEN_INCIDENT_SCORES, day)),
        scores_day=day,
        drift=load_drift(paths, drift),
    )
