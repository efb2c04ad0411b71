"""Builds the dashboard: the lake's inputs, the five views, one HTML file written atomically."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from incident_intel.reports.dashboard.inputs import DashboardInputs, read_inputs
from incident_intel.reports.dashboard.page import render_page
from incident_intel.reports.dashboard.views import build_views
from incident_intel.settings import DriftSettings
from incident_intel.storage.atomic import write_bytes_atomic
from incident_intel.storage.paths import DASHBOARD_INDEX, LakePaths
from incident_intel.storage.tables import DASHBOARD


@dataclass(frozen=True)
class RenderedDashboard:
    html: str
    charts: dict[str, int]  # per view, how many charts it draws
    open_incidents: int


@dataclass(frozen=True)
class DashboardBuild:
    index: Path
    charts: dict[str, int]
    open_incidents: int
    scores_day: date | None
    size_bytes: int
    seconds: float


def render_dashboard(inputs: DashboardInputs) -> RenderedDashboard:
    built = build_views(inputs)
    header = {
        "scores_day": inputs.scores_day,
        "versions": {name: s["version"] for name, s in (inputs.evaluation or {}).items()},
    }
    return RenderedDashboard(
        html=render_page(built, header),
        charts={name: len(view.charts) for name, view in built.views.items()},
        open_incidents=0 if inputs.scores is None else inputs.scores.height,
    )


def build_dashboard(
    paths: LakePaths, drift: DriftSettings, index: Path | None = None
) -> DashboardBuild:
    """Reads the lake at `paths` and writes the page to `index` (default: the lake's own);
    `drift` holds the thresholds that colour drift."""
    started = time.perf_counter()
    inputs = read_inputs(paths, drift)
    rendered = render_dashboard(inputs)
    target = index or paths.table_file(DASHBOARD, DASHBOARD_INDEX)
    data = rendered.html.encode("utf-8")
    write_bytes_atomic(target, data)
    return DashboardBuild(
        index=target,
        charts=rendered.charts,
        open_incidents=rendered.open_incidents,
        scores_day=inputs.scores_day,
        size_bytes=len(data),
        seconds=time.perf_counter() - started,
    )
