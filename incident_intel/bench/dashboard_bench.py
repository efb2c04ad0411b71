"""`bench dashboard`: how long the dashboard takes to build from the lake at
$INCIDENT_INTEL_DATA_DIR, what it added to the last scoring run, and how fast each view draws
in headless Chromium."""

from __future__ import annotations

import io
import statistics
import tempfile
from pathlib import Path
from typing import Any

from incident_intel.bench.browser import headless_chromium, open_view
from incident_intel.reports.dashboard.build import build_dashboard
from incident_intel.reports.dashboard.views import VIEWS
from incident_intel.settings import ProjectSettings, data_dir
from incident_intel.storage.atomic import write_bytes_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import DASHBOARD, OPEN_INCIDENT_SCORES

FIRST_VIEW = next(iter(VIEWS))


def step_key(table) -> str:
    return "__".join(table.key.path)


def added_to_last_run() -> float | None:
    """Seconds between the scoring step's end and the dashboard step's, in the newest run that
    built the dashboard: the time it added to `make run`. None without such a run."""
    from dagster import DagsterEventType, DagsterInstance

    with DagsterInstance.get() as instance:
        event = instance.get_latest_materialization_event(DASHBOARD.key)
        if event is None:
            return None
        records = instance.get_records_for_run(
            event.run_id, of_type=DagsterEventType.STEP_SUCCESS
        ).records
    ended = {r.event_log_entry.step_key: r.event_log_entry.timestamp for r in records}
    scoring, dashboard = step_key(OPEN_INCIDENT_SCORES), step_key(DASHBOARD)
    if scoring not in ended or dashboard not in ended:
        return None
    return ended[dashboard] - ended[scoring]


def save_small_png(png: bytes, path: Path) -> None:
    """A screenshot in 256 colours: a tenth of the bytes, for docs that live in git."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        small = io.BytesIO()
        image.convert("RGB").quantize(colors=256).save(small, format="PNG", optimize=True)
    write_bytes_atomic(path, small.getvalue())


def run_dashboard_bench(loads: int = 5, screenshots: Path | None = None) -> dict[str, Any]:
    """Figures as one dict; with `screenshots`, each view's first screen saved there too."""
    paths = LakePaths(data_dir())
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as scratch:
        drift = ProjectSettings.load().drift
        built = build_dashboard(paths, drift, Path(scratch) / "index.html")
        url = built.index.as_uri()
        with headless_chromium() as browser:
            first_view, busy, shown = [], [], []
            for _ in range(loads):
                load = open_view(browser, url, FIRST_VIEW)
                first_view.append(load.seconds)
                busy.append(load.main_thread_seconds)
                shown.append(load.marks["dashboard:view-shown"])
                load.page.close()
            views = {}
            for view in VIEWS:
                load = open_view(browser, url, view)
                views[view] = round(load.seconds, 3)
                if screenshots is not None:
                    save_small_png(load.page.screenshot(), screenshots / f"dashboard-{view}.png")
                load.page.close()
    return {
        "bench": "dashboard",
        "data_dir": str(paths.root),
        "scores_day": str(built.scores_day),
        "open_incidents": built.open_incidents,
        "charts": built.charts,
        "html_mib": round(built.size_bytes / 2**20, 2),
        "build_seconds": round(built.seconds, 3),
        "added_to_last_run_seconds": added_to_last_run(),
        "page_load_seconds_median": round(statistics.median(first_view), 3),
        "view_text_shown_seconds_median": round(statistics.median(shown), 3),
        "page_load_seconds_max": round(max(first_view), 3),
        "page_load_main_thread_cpu_seconds_median": round(statistics.median(busy), 3),
        "page_loads": loads,
        "view_load_seconds": views,
    }
