"""Drift checks on gold/open_incident_scores: how far the open incidents moved from what the
breach model learnt, in its inputs and in the risk it gives them.

They run inside the scoring asset, on the figures it has just measured and stored beside the
scores: a single-run backfill scores many days, and each must be judged, as silver's
per-partition checks are; a check of its own would have to guess which days the run covered.
A run's outcome is its worst day. The checks warn and never block: drift says the model may be
stale, not that its scores are wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import dagster as dg
import polars as pl

from incident_intel.metadata import markdown_table
from incident_intel.monitoring.drift import Drift, Severity, grade
from incident_intel.scoring.drift import DayDrift, Unmeasured
from incident_intel.settings import DriftSettings
from incident_intel.storage.tables import OPEN_INCIDENT_SCORES

FEATURE_DRIFT = "open_incident_scores_feature_drift"
RISK_DRIFT = "open_incident_scores_risk_drift"
DRIFT_CHECKS = (FEATURE_DRIFT, RISK_DRIFT)
# The columns that moved most get a float each, for the UI to plot across runs.
TOP_FEATURES = 3

CHECK_SPECS = [
    dg.AssetCheckSpec(
        FEATURE_DRIFT,
        asset=OPEN_INCIDENT_SCORES.key,
        description="The largest PSI of any input column of the breach model, the open "
        "incidents against the model's training backlogs, beyond the PSI one day of those "
        "backlogs usually showed (drift.warn_above, drift.error_above).",
    ),
    dg.AssetCheckSpec(
        RISK_DRIFT,
        asset=OPEN_INCIDENT_SCORES.key,
        description="The PSI of the breach risk given to the open incidents, against the risk "
        "the model gave its test period's backlogs, beyond the PSI one day of those usually "
        "showed (drift.warn_above, drift.error_above).",
    ),
]

Measure = Callable[[Drift], float]


def _max_feature_excess(drift: Drift) -> float:
    return drift.max_feature_excess


def _risk_excess(drift: Drift) -> float:
    return drift.risk_excess


def day_severity(day: DayDrift, measure: Measure, settings: DriftSettings) -> Severity:
    """A judged day's grade; a day without a reference warns, one with too few incidents or
    no model passes."""
    if day.drift is None:
        return Severity.WARN if day.unmeasured is Unmeasured.NO_REFERENCE else Severity.OK
    if day.drift.incidents < settings.min_incidents:
        return Severity.OK
    return grade(measure(day.drift), settings.warn_above, settings.error_above)


def worst_day(
    days: list[DayDrift], measure: Measure, settings: DriftSettings
) -> tuple[DayDrift, Severity]:
    """The run's day with the highest severity, the largest figure among equals, then the
    newest."""

    def rank(day: DayDrift) -> tuple[Severity, float, date]:
        figure = measure(day.drift) if day.drift is not None else -1.0
        return day_severity(day, measure, settings), figure, day.day

    worst = max(days, key=rank)
    return worst, day_severity(worst, measure, settings)


def _describe(day: DayDrift, severity: Severity, what: str, settings: DriftSettings) -> str | None:
    if day.drift is None:
        return f"{day.day}: {day.unmeasured.value}"
    if day.drift.incidents < settings.min_incidents:
        return (
            f"{day.day}: {day.drift.incidents} open incidents, fewer than drift.min_incidents "
            f"({settings.min_incidents}): measured, not judged"
        )
    if severity is Severity.OK:
        return None
    threshold = settings.error_above if severity is Severity.ERROR else settings.warn_above
    return f"{day.day}: {what}; more than {threshold} beyond the usual ({severity.name})"


def _days_table(days: list[DayDrift]) -> dg.MarkdownMetadataValue:
    rows = [
        {
            "day": str(d.day),
            "incidents": d.drift.incidents if d.drift else None,
            "max_feature_excess": d.drift.max_feature_excess if d.drift else None,
            "top_feature": d.drift.top_features(1)[0][0] if d.drift and d.drift.features else None,
            "risk_psi": d.drift.risk if d.drift else None,
            "risk_excess": d.drift.risk_excess if d.drift else None,
        }
        for d in days
    ]
    return markdown_table(pl.DataFrame(rows))


def _result(
    name: str,
    days: list[DayDrift],
    measure: Measure,
    settings: DriftSettings,
    what: Callable[[Drift], str],
    figures: Callable[[Drift], dict[str, Any]],
) -> dg.AssetCheckResult:
    day, severity = worst_day(days, measure, settings)
    metadata: dict[str, Any] = {
        "day": str(day.day),
        "model_version": day.model_version or "none",
        "warn_above": settings.warn_above,
        "error_above": settings.error_above,
        "min_incidents": settings.min_incidents,
        "days_measured": sum(d.drift is not None for d in days),
    }
    if day.drift is not None:
        metadata |= {"incidents": day.drift.incidents, **figures(day.drift)}
    if len(days) > 1 and metadata["days_measured"]:
        metadata["days"] = _days_table(days)
    description = _describe(day, severity, what(day.drift) if day.drift else "", settings)
    return dg.AssetCheckResult(
        asset_key=OPEN_INCIDENT_SCORES.key,
        check_name=name,
        passed=severity is Severity.OK,
        severity=dg.AssetCheckSeverity.ERROR
        if severity is Severity.ERROR
        else dg.AssetCheckSeverity.WARN,
        metadata=metadata,
        description=description,
    )


def _feature_figures(drift: Drift) -> dict[str, Any]:
    ranked = drift.top_features(len(drift.features))
    table = [
        (name, value, drift.usual.get(name, 0.0), drift.excess(name)) for name, value in ranked
    ]
    return {
        "max_excess": drift.max_feature_excess,
        "max_psi": drift.max_feature_psi,
        "top_feature": ranked[0][0] if ranked else "none",
        **{f"psi_{name}": value for name, value in ranked[:TOP_FEATURES]},
        "psi_by_feature": markdown_table(
            pl.DataFrame(table, schema=["feature", "psi", "usual", "excess"], orient="row")
        ),
    }


def _feature_words(drift: Drift) -> str:
    moved = ", ".join(
        f"{name} {value:.3f} (usual {drift.usual.get(name, 0.0):.3f})"
        for name, value in drift.top_features(TOP_FEATURES)
    )
    return f"input columns moved beyond their usual day, largest first: {moved}"


def feature_drift_result(days: list[DayDrift], settings: DriftSettings) -> dg.AssetCheckResult:
    return _result(
        FEATURE_DRIFT, days, _max_feature_excess, settings, _feature_words, _feature_figures
    )


def risk_drift_result(days: list[DayDrift], settings: DriftSettings) -> dg.AssetCheckResult:
    return _result(
        RISK_DRIFT,
        days,
        _risk_excess,
        settings,
        lambda drift: f"the breach risk moved, PSI {drift.risk:.3f} (usual {drift.risk_usual:.3f})",
        lambda drift: {"psi": drift.risk, "usual": drift.risk_usual, "excess": drift.risk_excess},
    )
