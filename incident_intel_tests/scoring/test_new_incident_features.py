from datetime import UTC, datetime, timedelta

import polars as pl

from incident_intel.gold.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from incident_intel.scoring.incident_in import IncidentIn
from incident_intel.scoring.new_incident_features import LakeLoad, feature_rows
from incident_intel.settings import FeatureSettings
from incident_intel.silver.mapping import ExtraField

MONDAY_9 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _incident(**fields) -> IncidentIn:
    return IncidentIn(**fields).with_defaults(MONDAY_9)


def test_rows_carry_every_feature_the_models_read():
    rows = feature_rows([_incident(priority=2)], FeatureSettings(), LakeLoad())
    assert set(CATEGORICAL_FEATURES) | set(NUMERIC_FEATURES) <= set(rows.columns)
    assert rows["priority"][0] == "2" and rows["reassignment_count"][0] == 0


def test_opening_time_is_read_on_the_teams_clock():
    settings = FeatureSettings(business_hours_timezone="America/New_York")
    [row] = feature_rows([_incident()], settings, LakeLoad()).to_dicts()
    assert (row["opened_hour"], row["opened_weekday"], row["in_business_hours"]) == (4, 1, 0)
    [row] = feature_rows([_incident()], FeatureSettings(), LakeLoad()).to_dicts()
    assert (row["opened_hour"], row["in_business_hours"]) == (9, 1)


def test_load_comes_from_the_lake_and_the_rest_of_the_request():
    load = LakeLoad(
        backlog={"Network": 7},
        recent_openings=[MONDAY_9 - timedelta(minutes=m) for m in (5, 30, 90)],
    )
    earlier = _incident(assignment_group="Network", opened_at=MONDAY_9 - timedelta(minutes=10))
    rows = feature_rows([_incident(assignment_group="Network"), earlier], FeatureSettings(), load)
    assert rows["group_backlog"].to_list() == [7, 7]
    assert rows["arrivals_last_hour"].to_list() == [3, 1]


def test_text_is_scrubbed_and_extras_typed_as_gold_types_them():
    extras = (ExtraField("u_symptom", "categorical"), ExtraField("u_score", "numeric"))
    incident = _incident(
        short_description="mail from ann@example.com", extra={"u_symptom": "slow", "u_score": 3}
    )
    rows = feature_rows([incident], FeatureSettings(), LakeLoad(), extras)
    assert "ann@example.com" not in rows["short_description"][0]
    assert rows.schema["x_u_symptom"] == pl.Categorical and rows["x_u_score"][0] == 3.0


def test_beyond_the_lake_the_hours_typical_arrivals_stand_in():
    load = LakeLoad(
        recent_openings=[MONDAY_9 - timedelta(minutes=5)],
        covered_until=MONDAY_9 - timedelta(hours=3),
        hourly_arrivals={(1, 8): 4.4},
    )
    assert load.arrivals_before(MONDAY_9) == 4
    assert load.arrivals_before(MONDAY_9 - timedelta(hours=4)) == 0
