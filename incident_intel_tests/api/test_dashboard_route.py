"""GET /dashboard: the built page, behind the bearer token, and a clear 404 before it is built."""

import pytest
from fastapi.testclient import TestClient

from incident_intel.api.app import create_app
from incident_intel.feedback.store import FeedbackStore
from incident_intel.settings import ServeSettings
from incident_intel.shadow.log import ShadowLog
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.storage.model_store import ModelStore
from incident_intel_tests.api.conftest import AUTH, TOKEN

PAGE = "<!doctype html><title>dashboard</title>"


def _models_never_needed():
    raise AssertionError("the dashboard route must not load the models")


@pytest.fixture
def index(tmp_path):
    return tmp_path / "reports" / "dashboard" / "index.html"


@pytest.fixture
def client(tmp_path, index):
    # Without `with`, the lifespan that loads the models never runs: the page needs none.
    app = create_app(
        _models_never_needed,
        ModelStore(tmp_path / "model"),
        FeedbackStore(tmp_path / "feedback.sqlite3"),
        ServeSettings(),
        load_schema_mapping(),
        TOKEN,
        ShadowLog(tmp_path / "shadow.sqlite3"),
        index,
    )
    return TestClient(app)


def test_the_dashboard_needs_the_token(client, index):
    index.parent.mkdir(parents=True)
    index.write_text(PAGE)
    response = client.get("/dashboard")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_the_built_page_is_served_as_html(client, index):
    index.parent.mkdir(parents=True)
    index.write_text(PAGE)
    response = client.get("/dashboard", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == PAGE


def test_before_the_first_build_the_404_says_how_to_build_it(client):
    response = client.get("/dashboard", headers=AUTH)
    assert response.status_code == 404
    assert "materialise reports/dashboard" in response.json()["detail"]
