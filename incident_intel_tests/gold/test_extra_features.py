"""Extra fields from a bronze page, through silver, to gold features as of prediction time."""

import json
from datetime import UTC, date, datetime

import pytest

from incident_intel.gold.features import build_features, extra_feature_columns
from incident_intel.settings import FeatureSettings
from incident_intel.silver.parse import build_silver_partition
from incident_intel_tests.ingest.fake_table_api import record
from incident_intel_tests.silver.test_extra_fields import EXTRAS, _mapping

DAY = date(2026, 1, 5)
WINDOW = (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 6, tzinfo=UTC))


def _record(updated: str, display: str | None, **fields: str) -> dict:
    pulled = record("a", updated, opened_at="2026-01-05 09:00:00", **fields)
    pulled["opened_by"] = {"value": "u1", "display_value": display}
    pulled["caller_id"] = {"value": "c1", "display_value": "Grace Hopper"}
    return pulled


@pytest.fixture
def gold(tmp_path):
    mapping = _mapping(tmp_path, EXTRAS)
    api = mapping.source("servicenow_table_api")
    # Two states of one incident, as two pulls saw it: at its creation, and later.
    page = [
        _record(
            "2026-01-05 09:00:00",
            None,
            u_symptom="Symptom 1",
            u_effort_hours="2.5",
            u_notes="call me on 555-013-2245",
        ),
        _record(
            "2026-01-05 12:00:00",
            "Ada Lovelace",
            u_symptom="Symptom 2",
            u_effort_hours="7",
            sys_created_by="ada.lovelace",
        ),
    ]
    body = json.dumps({"result": page}).encode()
    versions = build_silver_partition([(1, body)], api, DAY, WINDOW).versions
    assert versions.height == 2
    incidents = versions.sort("sys_updated_on").group_by("sys_id").last()
    return build_features(versions, incidents, FeatureSettings(), mapping.extras.values())


def test_extra_fields_are_carried_as_of_prediction_time(gold):
    row = gold.row(0, named=True)
    assert row["x_u_symptom"] == "Symptom 1" and row["x_effort"] == 2.5
    # A reference is named from any record that showed it.
    assert row["x_opened_by"] == "Ada Lovelace"
    # Immutable: the trail never sets it, the current record holds it.
    assert row["x_sys_created_by"] == "ada.lovelace"
    # Text is scrubbed like every free text in gold.
    assert row["x_u_notes"] == "call me on [PHONE]"
    assert row["caller"] == "c1"


def test_the_kind_of_each_extra_column_is_read_from_the_frame(gold):
    assert extra_feature_columns(gold) == (
        ["x_u_symptom", "x_opened_by", "x_sys_created_by"],
        ["x_effort"],
        ["x_u_notes"],
    )
    assert extra_feature_columns(gold.schema) == extra_feature_columns(gold)


def test_an_extra_field_silver_does_not_hold_is_left_out(tmp_path):
    mapping = _mapping(tmp_path, EXTRAS)
    row = record("a", "2026-01-05 09:00:00", opened_at="2026-01-05 09:00:00")
    body = json.dumps({"result": [row]}).encode()
    (tmp_path / "bare").mkdir()
    bare = _mapping(tmp_path / "bare", {})
    versions = build_silver_partition(
        [(1, body)], bare.source("servicenow_table_api"), DAY, WINDOW
    ).versions
    features = build_features(versions, versions, FeatureSettings(), mapping.extras.values())
    assert extra_feature_columns(features) == ([], [], [])
