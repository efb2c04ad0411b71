"""Feedback through the API: idempotent by its id, and kept across a restart."""

import pytest
from fastapi.testclient import TestClient

from incident_intel.feedback.store import FeedbackStore
from incident_intel.storage.paths import LakePaths
from incident_intel_tests.api.conftest import AUTH, lake_app

pytestmark = pytest.mark.slow

FEEDBACK = {
    "feedback_id": "fb-1",
    "number": "INC0000001",
    "field": "assignment_group",
    "value": "Network",
}


def test_feedback_is_stored_once_and_survives_a_restart(trained_lake, tmp_path):
    root, _ = trained_lake
    lake = tmp_path / "lake"
    lake.mkdir()
    for name in ("model", "silver", "gold"):
        (lake / name).symlink_to(root / name, target_is_directory=True)
    with TestClient(lake_app(lake)) as client:
        first = client.post("/feedback", json=FEEDBACK, headers=AUTH)
        assert first.status_code == 201, first.text
        again = client.post("/feedback", json=FEEDBACK, headers=AUTH)
        assert again.status_code == 200
        assert again.json()["received_at"] == first.json()["received_at"]
        conflict = client.post("/feedback", json={**FEEDBACK, "value": "Desk"}, headers=AUTH)
        assert conflict.status_code == 409 and "fb-1" in conflict.text
    with TestClient(lake_app(lake)) as restarted:
        after = restarted.post("/feedback", json=FEEDBACK, headers=AUTH)
        assert after.status_code == 200
        assert after.json()["received_at"] == first.json()["received_at"]
    assert FeedbackStore(LakePaths(lake).feedback).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**FEEDBACK, "field": "colour"}, "field"),
        ({**FEEDBACK, "feedback_id": ""}, "feedback_id"),
    ],
)
def test_bad_feedback_gets_422_naming_the_field(client, body, field):
    response = client.post("/feedback", json=body, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", field]


def test_feedback_needs_the_token(client):
    assert client.post("/feedback", json=FEEDBACK).status_code == 401
