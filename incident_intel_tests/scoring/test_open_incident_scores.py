"""The scoring view and the on-demand scorer over a lake with every model trained."""

from datetime import UTC, date, datetime

import dagster as dg
import polars as pl
import pytest

from incident_intel.bench.faults_lake import lake_resources
from incident_intel.partitions import daily_partitions
from incident_intel.scoring.assets import build_open_incident_scores
from incident_intel.scoring.incident_in import IncidentIn
from incident_intel.scoring.service import ScoringService
from incident_intel.settings import ProjectSettings
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_FEATURES, OPEN_INCIDENT_SCORES
from incident_intel_tests.trained_lake import FIRST_DAY, LAST_DAY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scored_day(trained_lake):
    root, _ = trained_lake
    asset = build_open_incident_scores(daily_partitions(date.fromisoformat(FIRST_DAY)))
    result = dg.materialize([asset], partition_key=LAST_DAY, resources=lake_resources(root))
    assert result.success
    path = LakePaths(root).partition_file(OPEN_INCIDENT_SCORES, date.fromisoformat(LAST_DAY))
    return root, pl.read_parquet(path), result


def test_every_open_incident_gets_every_output(scored_day):
    root, scores, _ = scored_day
    assert scores.height > 50
    assert scores["breach_probability"].is_between(0, 1).all()
    assert scores["breach_probability"].is_sorted(descending=True)
    assert (scores["ttr_low_hours"] <= scores["ttr_hours"]).all()
    assert (scores["ttr_hours"] <= scores["ttr_high_hours"]).all()
    assert scores["breach_factors"].list.len().eq(3).all()
    for target in ("category", "assignment_group", "priority"):
        confidences = scores[f"{target}_suggestions"].list.eval(pl.element().struct["confidence"])
        assert confidences.list.len().eq(3).all()
        assert confidences.map_elements(lambda c: list(c) == sorted(c, reverse=True)).all()
        assert set(scores[f"{target}_action"]) <= {"AUTO_ROUTE", "HUMAN_REVIEW", "ESCALATE"}
    assert scores["similar"].list.len().eq(5).all()
    assert scores["model_versions"][0] == {
        name: ModelStore(root / "model").latest_version(name)
        for name in ("sla_breach_model", "resolution_time_model", "triage_model")
    }


def test_the_view_holds_only_incidents_open_at_the_days_end(scored_day):
    _, scores, result = scored_day
    assert (scores["opened_at"] < datetime(2026, 1, 21, tzinfo=UTC)).all()
    assert not set(scores["state"]) & {"Resolved", "Closed", "Canceled"}
    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["dagster/row_count"].value == scores.height


def test_similar_incidents_were_resolved_before_the_day_ended(scored_day):
    _, scores, _ = scored_day
    similar = scores.select(pl.col("similar").explode().struct.unnest())
    assert similar["ttr_hours"].is_not_null().all()
    assert similar["similarity"].is_between(-1.0001, 1.0001).all()


@pytest.fixture(scope="module")
def service(trained_lake):
    from incident_intel.gold.embedding_model import shared_embedder

    root, _ = trained_lake
    embedder = shared_embedder("auto", 128, 64)
    return ScoringService.load_from(LakePaths(root), ProjectSettings.load(), embedder)


def test_a_new_incident_is_scored_from_its_text_and_fields(service):
    received = datetime(2026, 1, 21, 9, tzinfo=UTC)
    incident = IncidentIn(
        short_description="VPN keeps disconnecting", priority=3, assignment_group="Network"
    ).with_defaults(received)
    [scored] = service.score([incident])
    assert scored["sys_id"] == incident.sys_id
    assert 0 <= scored["breach_probability"] <= 1
    assert len(scored["assignment_group_suggestions"]) == 3
    assert scored["model_versions"] == service.versions


def test_an_exact_duplicate_of_a_resolved_incident_finds_it_first(trained_lake, service):
    root, _ = trained_lake
    features = pl.read_parquet(LakePaths(root).table_file(INCIDENT_FEATURES))
    resolved = features.filter(pl.col("ttr_hours").is_not_null() & (pl.col("description") != ""))
    target = resolved.row(0, named=True)
    found = service.similar(f"{target['short_description']}\n{target['description']}", k=3)
    assert found[0]["number"] == target["number"]
    assert found[0]["similarity"] > 0.999
