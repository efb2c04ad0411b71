"""The dashboard's views and page from small inputs: every view drawn, every gap said, and all
incident text inert."""

import base64
import dataclasses
import hashlib
import html
import json
import re
from datetime import date, timedelta
from importlib import resources

import polars as pl
import pytest

from incident_intel.monitoring.drift import Drift
from incident_intel.monitoring.figures import figures_frame
from incident_intel.reports.dashboard.breach_charts import threshold_rows
from incident_intel.reports.dashboard.build import render_dashboard
from incident_intel.reports.dashboard.drift import DRIFT_INPUT, load_drift
from incident_intel.reports.dashboard.figures import label
from incident_intel.reports.dashboard.operations import operations_kpis
from incident_intel.reports.dashboard.page import (
    BUNDLED_TRACES,
    PLOTLY_BUNDLE,
    plotly_js,
    unbundled_traces,
)
from incident_intel.reports.dashboard.risk_list import filter_options, risk_rows
from incident_intel.reports.dashboard.views import VIEWS, build_views
from incident_intel.reports.headlines import evaluation_headlines, headline_figures
from incident_intel.settings import DriftSettings
from incident_intel.storage.atomic import write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import OPEN_INCIDENT_DRIFT
from incident_intel_tests.reports.dashboard import samples

CHARTS_JSON = re.compile(
    r'<script type="application/json" id="dashboard-charts">(.*?)</script>', re.S
)
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


@pytest.fixture(scope="module")
def page() -> str:
    return render_dashboard(samples.full_inputs()).html


def test_every_view_draws_charts_from_a_full_lake():
    rendered = render_dashboard(samples.full_inputs())
    assert set(rendered.charts) == set(VIEWS)
    assert all(count > 0 for count in rendered.charts.values()), rendered.charts
    assert rendered.open_incidents == 3


def test_the_plotly_bundle_draws_every_trace_type_the_views_use():
    views = build_views(samples.full_inputs())
    assert unbundled_traces(views.charts) == set()
    assert unbundled_traces({"pie": {"data": [{"type": "pie"}]}}) == {"pie"}
    entry = (PLOTLY_BUNDLE / "plotly-dashboard.entry.js").read_text("utf-8")
    registered = set(re.findall(r"require\('plotly\.js/lib/(\w+)'\)", entry)) - {"core"}
    assert registered | {"scatter"} == BUNDLED_TRACES
    # The figures come from the plotly Python package: the bundle is of the release it ships.
    shipped = (resources.files("plotly") / "package_data" / "plotly.min.js").read_text("utf-8")
    release = re.search(r"plotly\.js v([\d.]+)", shipped).group(1)
    assert plotly_js().startswith(f"/**\n* plotly.js v{release}, partial bundle")


def test_an_empty_lake_says_what_each_view_waits_for():
    page = render_dashboard(samples.empty_inputs()).html
    for waiting in (
        "No operational statistics yet",
        "No evaluation report yet",
        "No archetypes yet",
        "No open incidents scored yet",
        f"No drift figures yet: the view reads {DRIFT_INPUT}",
    ):
        assert waiting in page


def test_a_day_with_no_open_incident_says_so():
    inputs = dataclasses.replace(samples.full_inputs(), scores=samples.open_scores().head(0))
    assert f"No incident was open at the end of {samples.DAY}." in render_dashboard(inputs).html


def test_incident_text_reaches_the_page_escaped(page):
    assert samples.XSS not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page


def test_the_charts_json_cannot_close_its_script_element(page):
    [data] = CHARTS_JSON.findall(page)
    assert "<" not in data and ">" not in data
    labels = json.dumps(json.loads(data))
    # Plotly reads <b> and <br> in labels: incident text goes in as entities, shown as written.
    assert json.dumps(label(samples.XSS))[1:-1] in labels
    assert json.dumps(samples.XSS)[1:-1] not in labels


def test_only_the_pages_own_scripts_may_run(page):
    csp = html.unescape(re.search(r'Content-Security-Policy" content="([^"]+)"', page)[1])
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp.split("style-src")[0]
    scripts = INLINE_SCRIPT.findall(page)
    assert len(scripts) == 3  # the view switcher, plotly.js, and the charts
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "<script src" not in page and "<link" not in page


def test_drift_is_read_from_each_scored_days_figures(tmp_path):
    paths = LakePaths(tmp_path)
    assert load_drift(paths, DriftSettings()) is None
    day = date(2026, 1, 20)
    drift = Drift(
        features={"priority": 0.05, "category": 0.3, "group_backlog": 0.12},
        risk=0.02,
        incidents=300,
    )
    write_parquet_atomic(
        figures_frame(day, "v1", drift), paths.partition_file(OPEN_INCIDENT_DRIFT, day)
    )
    # The next day, the backlog moved as far as a day of the reference usually does.
    usual = Drift(
        features={"priority": 0.05, "category": 0.3, "group_backlog": 0.4},
        risk=0.02,
        incidents=300,
        usual={"group_backlog": 0.35},
    )
    after = day + timedelta(days=1)
    write_parquet_atomic(
        figures_frame(after, "v1", usual), paths.partition_file(OPEN_INCIDENT_DRIFT, after)
    )
    # A day stored before the usual PSI was kept reads as having none.
    old_day = paths.partition_file(OPEN_INCIDENT_DRIFT, day)
    write_parquet_atomic(pl.read_parquet(old_day).drop("usual_psi"), old_day)
    table = load_drift(paths, DriftSettings()).to_dicts()
    assert {(row["day"], row["feature"], row["severity"]) for row in table} == {
        (day, "category", "major"),
        (day, "group_backlog", "moderate"),
        (day, "priority", "none"),
        (day, "risk", "none"),
        (after, "category", "major"),
        (after, "group_backlog", "none"),
        (after, "priority", "none"),
        (after, "risk", "none"),
    }


def test_each_threshold_strategy_meets_the_baseline_at_the_same_alert_rate():
    summary = samples.evaluation_report()["sla_breach_model"]
    row = next(r for r in threshold_rows(summary) if r["rule"] == "max_f1")
    # Alerting 25 % of incidents: the curve's point at recall 0.5, precision 0.4.
    assert row["baseline"] == "catboost_default"
    assert row["baseline_alert_rate"] == pytest.approx(0.25)
    assert (row["baseline_precision"], row["baseline_recall"]) == (0.4, 0.5)
    assert row["baseline_f1"] == pytest.approx(2 * 0.4 * 0.5 / 0.9)


def test_operations_figures_pool_days_by_incidents_resolved():
    kpis = {k["label"]: k["value"] for k in operations_kpis(samples.ops_stats())}
    assert kpis["opened"] == "17"
    assert kpis[f"backlog on {samples.DAY}"] == "4"
    assert kpis["MTTR"] == f"{112 / 12:.1f} h"


def test_the_risk_list_is_riskiest_first_with_its_filters():
    rows = risk_rows(samples.open_scores())
    assert [r["risk"] for r in rows] == sorted((r["risk"] for r in rows), reverse=True)
    assert rows[0]["alerts"] == ["max_f1"] and rows[1]["alerts"] == []
    assert rows[0]["suggestions"]["assignment_group"]["label"] == samples.XSS
    assert filter_options(rows) == {
        "group": sorted(["Network", samples.XSS]),
        "priority": ["2", "3"],
        "action": ["AUTO_ROUTE", "ESCALATE", "HUMAN_REVIEW"],
    }


def test_headline_figures_name_triage_targets_and_set_baselines_beside():
    report = samples.evaluation_report()
    triage = headline_figures("triage_model", report["triage_model"]["metrics"])
    assert triage["model"]["assignment_group_top1_accuracy"] == 0.8
    assert "assignment_group_top1_accuracy" in triage["tfidf_linear"]
    assert headline_figures("incident_clusters", report["incident_clusters"]["metrics"]) == {
        "model": {"silhouette": 0.1, "category_purity": 0.9, "group_purity": 0.5}
    }
    figures = evaluation_headlines(report)
    assert figures["sla_breach_model_pr_auc"] == 0.4
    assert all(isinstance(v, float) for v in figures.values())
