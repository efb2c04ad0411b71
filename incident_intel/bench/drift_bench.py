"""`incident-intel bench drift`: how far the open incidents drift from the breach model, day by
day after it was trained, on a replayed ServiceNow export.

The export is replayed into a temporary data root as `bench servicenow-log` does. The models
learn from what opened before --train-until, and are tested on its last --test-days days, as a
deployed model is tested on the newest incidents it was given and then scores the days after:
a test window after the cutoff would make those days the risk's own reference. Then
gold/open_incident_scores is materialised for the --days days from --train-until in one
single-run backfill, and each day's drift figures are read back from the lake.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl

from incident_intel.bench.backtest_summary import text_table
from incident_intel.bench.graph_run import temporary_graph_root
from incident_intel.bench.servicenow_log_bench import export_days, replay_config
from incident_intel.monitoring.drift import Drift, Severity, grade
from incident_intel.monitoring.figures import drift_from_figures
from incident_intel.settings import DriftSettings, ProjectSettings
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    OPEN_INCIDENT_DRIFT,
    OPEN_INCIDENT_SCORES,
    SLA_BREACH_MODEL,
)

TOP_FEATURES = 3
NOT_JUDGED = "not judged"


def _severity(value: float, drift: Drift, settings: DriftSettings) -> str:
    """As the drift checks judge a day: too few incidents are measured, not judged."""
    if drift.incidents < settings.min_incidents:
        return NOT_JUDGED
    return grade(value, settings.warn_above, settings.error_above).name


def _days_at_or_above(days: list[dict[str, Any]], severity: Severity) -> int:
    """Days on which either check reached `severity`."""
    return sum(
        any(
            d.get(key, NOT_JUDGED) != NOT_JUDGED and Severity[d[key]] >= severity
            for key in ("feature_severity", "risk_severity")
        )
        for d in days
    )


def day_figures(paths: LakePaths, day: date, settings: DriftSettings) -> dict[str, Any]:
    """One scored day's drift, as the bench prints it."""
    path = paths.partition_file(OPEN_INCIDENT_DRIFT, day)
    drift = drift_from_figures(pl.read_parquet(path)) if path.exists() else None
    if drift is None:
        return {"day": day.isoformat(), "measured": False}
    return {
        "day": day.isoformat(),
        "incidents": drift.incidents,
        "max_feature_psi": round(drift.max_feature_psi, 4),
        "max_feature_excess": round(drift.max_feature_excess, 4),
        "top_features": [
            [n, round(v, 4), round(drift.usual.get(n, 0.0), 4)]
            for n, v in drift.top_features(TOP_FEATURES)
        ],
        "risk_psi": round(drift.risk, 4),
        "risk_usual": round(drift.risk_usual, 4),
        "feature_severity": _severity(drift.max_feature_excess, drift, settings),
        "risk_severity": _severity(drift.risk_excess, drift, settings),
    }


def breach_model_figures(paths: LakePaths) -> dict[str, Any]:
    """The promoted breach model that scored: its version, test PR AUC and reference sizes."""
    store = ModelStore(paths.models)
    if store.latest_version(SLA_BREACH_MODEL.name) is None:
        return {"promoted": False}
    model = store.load(SLA_BREACH_MODEL.name)
    reference = model.drift_reference or {}
    return {
        "promoted": True,
        "version": model.version,
        "test_pr_auc": round(model.card["metrics"]["model"]["pr_auc"], 4),
        "rows": model.card["metrics"]["rows"],
        "reference_backlog_rows": reference.get("feature_rows"),
        "reference_risk_rows": reference.get("risk_rows"),
    }


def drift_table(days: list[dict[str, Any]]) -> str:
    header = ["day", "open", "top input", "PSI", "usual", "inputs", "risk PSI", "usual", "risk"]
    rows = [
        [
            d["day"],
            d.get("incidents"),
            *(d["top_features"][0] if d.get("top_features") else (None, None, None)),
            d.get("feature_severity"),
            d.get("risk_psi"),
            d.get("risk_usual"),
            d.get("risk_severity"),
        ]
        for d in days
    ]
    return text_table(header, rows)


def run_drift_bench(events: Path, train_until: date, test_days: int, days: int) -> dict[str, Any]:
    from incident_intel.run.instance import ensure_dagster_home
    from incident_intel.run.layers import (
        asset_selections,
        materialize_daily,
        materialize_scoring,
        materialize_unpartitioned,
        say,
    )

    test_start = train_until - timedelta(days=test_days)
    first_day, last_day = export_days(events, [test_start, train_until])
    scored = [train_until + timedelta(days=n) for n in range(days)]
    if scored[-1] > last_day:
        raise SystemExit(f"--days {days} runs past the export's last day {last_day}")
    config = replay_config(events, test_start, train_until, first_day, audit=True)
    settings = ProjectSettings.from_mapping(config)
    with temporary_graph_root(config) as data:
        ensure_dagster_home()
        selections = asset_selections(settings)
        say(f"[1/3] Bronze and silver for {first_day} … {last_day}")
        timings = {
            "daily_layers": materialize_daily(selections.daily, str(first_day), str(last_day))
        }
        say(
            f"[2/3] Features and models: train before {test_start}, test {test_start} … "
            f"{train_until - timedelta(days=1)}"
        )
        timings["features_models_reports"], trained = materialize_unpartitioned(
            selections.unpartitioned
        )
        say(f"[3/3] Open incidents scored {scored[0]} … {scored[-1]}, in one run")
        timings["open_incident_scores"], scored_ok = materialize_scoring(
            OPEN_INCIDENT_SCORES.key.to_user_string(), str(scored[0]), str(scored[-1])
        )
        paths = LakePaths(data)
        per_day = [day_figures(paths, day, settings.drift) for day in scored]
        model = breach_model_figures(paths)
    say(drift_table(per_day))
    return {
        "events": str(events),
        "train_until": train_until.isoformat(),
        "test_start": test_start.isoformat(),
        "thresholds": settings.drift.model_dump(include={"warn_above", "error_above"}),
        "min_incidents": settings.drift.min_incidents,
        "models_run_succeeded": trained,
        "scoring_run_succeeded": scored_ok,
        **{f"{k}_seconds": round(v, 1) for k, v in timings.items()},
        "sla_breach_model": model,
        "days": per_day,
        "days_at_or_above": {
            s.name: _days_at_or_above(per_day, s) for s in (Severity.WARN, Severity.ERROR)
        },
    }
