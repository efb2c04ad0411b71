"""Shadow mode: a candidate scores each request after its response, into the shadow log."""

import copy
import logging
import shutil

import numpy as np
import polars as pl
import pytest
from fastapi.testclient import TestClient

from incident_intel.ml.breach.estimator import SlaBreachClassifier
from incident_intel.settings import ServeSettings
from incident_intel.shadow.log import ShadowLog
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import SLA_BREACH_MODEL
from incident_intel_tests.api.conftest import AUTH, lake_app

pytestmark = pytest.mark.slow

BREACH = SLA_BREACH_MODEL.name
CANDIDATE = "candidate0001"
INCIDENT = {
    "short_description": "VPN keeps disconnecting",
    "priority": 3,
    "assignment_group": "Network",
    "opened_at": "2026-01-21T09:15:00Z",
}


class HalvedRisk(SlaBreachClassifier):
    """The promoted breach model with its risk halved: a candidate that answers differently."""

    def predict_proba(self, X):
        risk = super().predict_proba(X)[:, 1] / 2
        return np.column_stack([1 - risk, risk])


class BrokenRisk(SlaBreachClassifier):
    def predict_proba(self, X):
        raise RuntimeError("the candidate cannot score")


@pytest.fixture
def lake(trained_lake, tmp_path):
    """The trained lake's data, and a copy of its models to save candidates beside."""
    root, _ = trained_lake
    lake = tmp_path / "lake"
    lake.mkdir()
    for name in ("silver", "gold"):
        (lake / name).symlink_to(root / name, target_is_directory=True)
    shutil.copytree(root / "model", lake / "model")
    return lake


def _save_breach_candidate(lake, behaviour: type[SlaBreachClassifier]) -> str:
    """Save the promoted breach model, behaving as `behaviour`, as a newer unpromoted version;
    return the promoted version."""
    store = ModelStore(LakePaths(lake).models)
    promoted = store.load(BREACH)
    model = copy.copy(promoted.estimator["estimator"])
    model.__class__ = behaviour  # the same fitted state, answering differently
    bundle = {**promoted.estimator, "estimator": model}
    store.save(BREACH, CANDIDATE, bundle, promoted.card, promoted.thresholds)
    return promoted.version


def _breach_rows(lake) -> pl.DataFrame:
    log = ShadowLog(LakePaths(lake).shadow_log).frame()
    return log.filter(pl.col("model") == BREACH)


def test_a_candidate_saved_while_serving_scores_the_next_requests_into_the_log(lake):
    with TestClient(lake_app(lake)) as client:
        before = client.post("/predict", json={**INCIDENT, "sys_id": "before"}, headers=AUTH)
        promoted = _save_breach_candidate(lake, HalvedRisk)
        assert client.app.state.shadow.refresh()
        one = client.post("/predict", json={**INCIDENT, "sys_id": "one"}, headers=AUTH)
        batch = client.post(
            "/predict/batch",
            json={"incidents": [{**INCIDENT, "sys_id": f"b{i}"} for i in range(2)]},
            headers=AUTH,
        )
    assert {before.status_code, one.status_code, batch.status_code} == {200}
    assert one.json()["model_versions"][BREACH] == promoted

    rows = _breach_rows(lake)
    assert rows["sys_id"].to_list() == ["one", "b0", "b1"]
    assert set(rows.select("promoted_version", "candidate_version").rows()) == {
        (promoted, CANDIDATE)
    }
    sent = [one.json(), *batch.json()["predictions"]]
    assert rows["promoted_breach_probability"].to_list() == pytest.approx(
        [p["breach_probability"] for p in sent]
    )
    assert rows["candidate_breach_probability"].to_list() == pytest.approx(
        [p["breach_probability"] / 2 for p in sent]
    )


def test_with_shadow_off_nothing_is_logged(lake):
    _save_breach_candidate(lake, HalvedRisk)
    with TestClient(lake_app(lake, ServeSettings(shadow=False))) as client:
        response = client.post("/predict", json=INCIDENT, headers=AUTH)
    assert response.status_code == 200
    assert not LakePaths(lake).shadow_log.exists()


def test_a_failing_candidate_is_logged_as_an_error_and_the_response_stands(lake, caplog):
    _save_breach_candidate(lake, BrokenRisk)
    with caplog.at_level(logging.ERROR), TestClient(lake_app(lake)) as client:
        response = client.post("/predict", json=INCIDENT, headers=AUTH)
    assert response.status_code == 200 and response.json()["breach_probability"] is not None
    assert _breach_rows(lake).is_empty()
    assert "shadow scoring failed" in caplog.text
