"""The dashboard in headless Chromium: built by its asset on a lake with every model trained
and the last day scored, each view drawn with no console error and nothing fetched, the risk
list filtered, and incident text that attacks the page left inert."""

from pathlib import Path

import pytest

from incident_intel.bench.browser import open_view
from incident_intel.reports.dashboard.build import render_dashboard
from incident_intel.reports.dashboard.views import VIEWS
from incident_intel.storage.paths import DASHBOARD_INDEX, LakePaths
from incident_intel.storage.tables import DASHBOARD
from incident_intel_tests.reports.dashboard import samples

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(scored_lake):
    """(index URL, charts per view) of the page the asset built on the scored lake."""
    root, result = scored_lake
    [event] = [e for e in result.get_asset_materialization_events() if e.asset_key == DASHBOARD.key]
    index = LakePaths(root).table_file(DASHBOARD, DASHBOARD_INDEX)
    assert event.materialization.metadata["open"].value == index.as_uri()
    return index.as_uri()


@pytest.mark.parametrize("view", list(VIEWS))
def test_each_view_draws_its_charts_offline_without_console_errors(built, browser, view, tmp_path):
    load = open_view(browser, built, view)
    page = load.page
    section = f"section[data-view={view}]"
    charts = page.locator(f"{section} [data-chart]")
    assert charts.count() > 0
    # Every chart Plotly drew: its own SVG inside the chart's element.
    assert page.locator(f"{section} [data-chart] .main-svg").count() >= charts.count()
    for other in VIEWS:
        assert page.locator(f"section[data-view={other}]").is_visible() == (other == view)
    assert load.console_errors == []
    assert load.remote_requests == []
    page.screenshot(path=tmp_path / f"{view}.png", full_page=True)
    assert (tmp_path / f"{view}.png").stat().st_size > 10_000
    page.close()


def test_every_view_of_the_scored_lake_has_content(built, browser):
    load = open_view(browser, built, "risk")
    page = load.page
    assert page.locator("tbody.incident").count() > 50
    assert page.locator("[data-view=archetypes] article.profile").count() >= 2
    # Three models and the trends across training runs.
    assert page.locator("[data-view=models] article.model").count() == 4
    # The scoring measured the day's drift: the view plots it rather than waiting for it.
    assert "No drift figures yet" not in page.locator("[data-view=drift]").text_content()
    page.close()


def test_the_risk_list_filters_by_group_priority_and_action(built, browser):
    page = open_view(browser, built, "risk").page
    incidents = page.locator("tbody.incident")
    total = incidents.count()
    for key in ("group", "priority", "action"):
        select = page.locator(f"select[data-filter={key}]")
        choice = select.locator("option").nth(1).inner_text()
        select.select_option(choice)
        shown = page.locator("tbody.incident:not([hidden])")
        assert 0 < shown.count() < total
        assert {shown.nth(i).get_attribute(f"data-{key}") for i in range(shown.count())} == {choice}
        assert page.locator("#risk-shown").inner_text() == str(shown.count())
        select.select_option("")
    assert page.locator("tbody.incident:not([hidden])").count() == total
    page.close()


def test_incident_text_that_attacks_the_page_stays_text(browser, tmp_path: Path):
    index = tmp_path / "index.html"
    index.write_text(render_dashboard(samples.full_inputs()).html, encoding="utf-8")
    for view in VIEWS:
        load = open_view(browser, index.as_uri(), view)
        page = load.page
        assert page.evaluate("window.__xss") is None, view
        assert page.locator('img[src="x"]').count() == 0
        assert load.console_errors == []
        if view in ("risk", "archetypes"):
            text = page.locator(f"section[data-view={view}]").inner_text()
            assert "<script>window.__xss = 1</script>" in text
        page.screenshot(path=tmp_path / f"xss-{view}.png")
        page.close()
