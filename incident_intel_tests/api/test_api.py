"""The scoring API in process, over a lake with every model trained."""

import polars as pl
import pytest

from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_FEATURES
from incident_intel_tests.api.conftest import AUTH

pytestmark = pytest.mark.slow

INCIDENT = {
    "short_description": "VPN keeps disconnecting",
    "description": "Since this morning the VPN drops every few minutes.",
    "priority": 3,
    "assignment_group": "Network",
    "opened_at": "2026-01-21T09:15:00Z",
}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/predict"),
        ("post", "/predict/batch"),
        ("get", "/similar?text=vpn"),
        ("get", "/stats"),
    ],
)
def test_every_route_but_health_needs_the_token(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401
    wrong = getattr(client, method)(path, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_health_is_open_and_names_the_models(client):
    health = client.get("/health").json()
    assert health["status"] in ("ok", "degraded")
    assert set(health["model_versions"]) == {
        "sla_breach_model",
        "resolution_time_model",
        "triage_model",
    }
    assert all(health["model_versions"].values())


def test_predict_returns_every_output_with_versions_and_time(client):
    response = client.post("/predict", json=INCIDENT, headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert 0 <= body["breach_probability"] <= 1
    assert body["ttr_low_hours"] <= body["ttr_hours"] <= body["ttr_high_hours"]
    for target in ("category", "assignment_group", "priority"):
        assert len(body[f"{target}_suggestions"]) == 3
        assert body[f"{target}_action"] in ("AUTO_ROUTE", "HUMAN_REVIEW", "ESCALATE")
    assert len(body["similar"]) == 5 and len(body["breach_factors"]) == 3
    assert body["model_versions"] == client.get("/health").json()["model_versions"]
    assert body["processing_time_ms"] > 0


def test_a_servicenow_record_is_read_through_the_mapping(client):
    record = {
        "priority": "3",
        "assignment_group": {"value": "a1b2", "display_value": "Network"},
        "short_description": "VPN keeps disconnecting",
    }
    response = client.post("/predict?source=servicenow_table_api", json=record, headers=AUTH)
    assert response.status_code == 200, response.text
    bad = client.post("/predict?source=servicenow_table_api", json={"priority": "9"}, headers=AUTH)
    assert bad.status_code == 422 and "priority: '9'" in bad.text
    unknown = client.post("/predict?source=jira", json=record, headers=AUTH)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "source"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"priority": 9}, ["body", "priority"]),
        ({"opened_at": "soon"}, ["body", "opened_at"]),
        ({"reassignment_count": 2**63}, ["body", "reassignment_count"]),
        ({"assignment_grp": "Network"}, ["body", "assignment_grp"]),
        ([1, 2], ["body"]),
    ],
)
def test_bad_input_gets_422_naming_the_field(client, body, loc):
    response = client.post("/predict", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_a_body_that_is_not_json_gets_422(client):
    response = client.post("/predict", content=b"{not json", headers=AUTH)
    assert response.status_code == 422 and "not valid JSON" in response.text


def test_a_batch_scores_each_incident_in_order(client):
    incidents = [{**INCIDENT, "sys_id": f"id-{i}"} for i in range(20)]
    response = client.post("/predict/batch", json={"incidents": incidents}, headers=AUTH)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    assert [p["sys_id"] for p in predictions] == [f"id-{i}" for i in range(20)]


@pytest.mark.parametrize(
    ("incidents", "message"),
    [
        ([], "send 1 to 50 incidents"),
        ([INCIDENT] * 51, "send 1 to 50 incidents"),
        ([{**INCIDENT, "sys_id": "same"}] * 2, "unique"),
    ],
)
def test_a_bad_batch_gets_422(client, incidents, message):
    response = client.post("/predict/batch", json={"incidents": incidents}, headers=AUTH)
    assert response.status_code == 422 and message in response.text


def test_a_bad_incident_in_a_batch_is_located_by_its_position(client):
    incidents = [INCIDENT, {**INCIDENT, "priority": 0}]
    response = client.post("/predict/batch", json={"incidents": incidents}, headers=AUTH)
    assert response.json()["detail"][0]["loc"] == ["body", "incidents", 1, "priority"]


def test_a_body_over_the_limit_gets_413(client):
    huge = {"incidents": [{"description": "x" * 10_000}] * 30}
    response = client.post("/predict/batch", json=huge, headers=AUTH)
    assert response.status_code == 413


def test_similar_finds_an_exact_duplicate_of_a_resolved_incident_first(client, trained_lake):
    root, _ = trained_lake
    features = pl.read_parquet(LakePaths(root).table_file(INCIDENT_FEATURES))
    resolved = features.filter(pl.col("ttr_hours").is_not_null() & (pl.col("description") != ""))
    target = resolved.row(3, named=True)
    text = f"{target['short_description']}\n{target['description']}"
    found = client.get("/similar", params={"text": text, "k": 3}, headers=AUTH).json()
    assert found["similar"][0]["number"] == target["number"]
    assert len(found["similar"]) == 3


def test_markup_in_a_description_comes_back_as_inert_json(client):
    attack = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = client.post("/predict", json={**INCIDENT, "description": attack}, headers=AUTH)
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_stats_count_requests_latency_and_actions(client):
    client.post("/predict", json=INCIDENT, headers=AUTH)
    stats = client.get("/stats", headers=AUTH).json()
    assert stats["requests"]["/predict"]["200"] >= 1
    assert stats["latency"]["/predict"]["p50_ms"] > 0
    assert sum(stats["action_mix"]["assignment_group"].values()) >= 1


def test_the_openapi_document_and_docs_are_served(client):
    document = client.get("/openapi.json").json()
    assert {"/predict", "/predict/batch", "/similar", "/health", "/stats"} <= set(document["paths"])
    assert client.get("/docs").status_code == 200
