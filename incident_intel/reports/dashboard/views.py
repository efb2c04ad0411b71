"""The five views from the lake's inputs: for each, its charts (Plotly specs, keyed by id) and
the text the page shows around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incident_intel.reports.dashboard.archetypes import archetype_charts, archetype_profiles
from incident_intel.reports.dashboard.breach_charts import breach_charts, threshold_rows
from incident_intel.reports.dashboard.drift import DRIFT_INPUT, drift_charts, training_runs
from incident_intel.reports.dashboard.inputs import DashboardInputs
from incident_intel.reports.dashboard.operations import operations_charts, operations_kpis
from incident_intel.reports.dashboard.resolution_time_charts import resolution_time_charts
from incident_intel.reports.dashboard.risk_list import filter_options, risk_charts, risk_rows
from incident_intel.reports.dashboard.trends import trend_charts
from incident_intel.reports.dashboard.triage_charts import triage_charts
from incident_intel.storage.tables import (
    INCIDENT_CLUSTERS,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

VIEWS = {
    "operations": "Operations",
    "models": "Models",
    "archetypes": "Archetypes",
    "risk": "Open-incident risk",
    "drift": "Drift",
}
MODEL_CHARTS = {
    SLA_BREACH_MODEL.name: breach_charts,
    RESOLUTION_TIME_MODEL.name: resolution_time_charts,
    TRIAGE_MODEL.name: triage_charts,
}


@dataclass
class View:
    """One view: its charts' ids in the order shown, and whatever else its template reads."""

    charts: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class Views:
    views: dict[str, View]
    charts: dict[str, dict[str, Any]]

    def add(self, view: str, charts: dict[str, dict[str, Any]]) -> list[str]:
        self.charts |= charts
        self.views[view].charts += list(charts)
        return list(charts)


def build_views(inputs: DashboardInputs) -> Views:
    built = Views({name: View() for name in VIEWS}, {})
    _operations(built, inputs)
    _models(built, inputs)
    _archetypes(built, inputs)
    _risk(built, inputs)
    runs = training_runs(inputs.cards)
    built.add("drift", drift_charts(inputs.drift, runs))
    built.views["drift"].context = {"has_psi": inputs.drift is not None, "input": DRIFT_INPUT}
    return built


def _operations(built: Views, inputs: DashboardInputs) -> None:
    built.add("operations", operations_charts(inputs.ops_stats, inputs.arrivals))
    if inputs.ops_stats is not None and inputs.ops_stats.height:
        built.views["operations"].context["kpis"] = operations_kpis(inputs.ops_stats)


def _models(built: Views, inputs: DashboardInputs) -> None:
    report = inputs.evaluation or {}
    sections = []
    for name, charts_of in MODEL_CHARTS.items():
        if name not in report:
            continue
        summary = report[name]
        sections.append(
            {
                "name": name,
                "version": summary["version"],
                "promoted": summary["promoted"],
                "gates": summary["gates"],
                "charts": built.add("models", charts_of(summary)),
                "thresholds": threshold_rows(summary) if name == SLA_BREACH_MODEL.name else [],
            }
        )
    trends = built.add("models", trend_charts(inputs.cards))
    built.views["models"].context = {"sections": sections, "trends": trends}


def _archetypes(built: Views, inputs: DashboardInputs) -> None:
    summary = (inputs.evaluation or {}).get(INCIDENT_CLUSTERS.name)
    if summary is None:
        return
    built.add("archetypes", archetype_charts(summary))
    built.views["archetypes"].context = {"profiles": archetype_profiles(summary)}


def _risk(built: Views, inputs: DashboardInputs) -> None:
    scores = inputs.scores
    if scores is None:
        return
    rows = risk_rows(scores)
    if scores.height:
        built.add("risk", risk_charts(scores))
    built.views["risk"].context = {
        "day": inputs.scores_day,
        "rows": rows,
        "total": scores.height,
        "options": filter_options(rows),
    }
