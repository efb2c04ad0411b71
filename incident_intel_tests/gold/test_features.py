from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from incident_intel.gold.features import build_features
from incident_intel.gold.ops_stats import build_ops_daily_stats
from incident_intel.settings import FeatureSettings, SplitSettings
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.silver.parse import versions_schema

SCHEMA = versions_schema(load_schema_mapping().canonical)
T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _version(sys_id: str, opened_h: float, updated_h: float, **fields) -> dict:
    row = dict.fromkeys(SCHEMA)
    row.update(
        sys_id=sys_id,
        number=f"INC{sys_id}",
        state="New",
        priority=3,
        assignment_group_display="Service Desk",
        category="network",
        reassignment_count=0,
        opened_at=T0 + timedelta(hours=opened_h),
        sys_updated_on=T0 + timedelta(hours=updated_h),
    )
    row.update(fields)
    return row


def _frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA)


def _incidents(versions: pl.DataFrame) -> pl.DataFrame:
    return versions.sort("sys_updated_on").group_by("sys_id", maintain_order=True).last()


HISTORY = [
    _version("a", 0, 0),
    _version(
        "a",
        0,
        2,
        state="In Progress",
        reassignment_count=1,
        assignment_group_display="Network Operations",
    ),
    _version(
        "a",
        0,
        30,
        state="Resolved",
        reassignment_count=1,
        made_sla=False,
        assignment_group_display="Network Operations",
        category="hardware",
        resolved_at=T0 + timedelta(hours=30),
    ),
    _version("b", 1, 1),
    _version("b", 1, 5, state="Resolved", made_sla=True, resolved_at=T0 + timedelta(hours=5)),
]


def _features(rows: list[dict], horizon: int = 0) -> pl.DataFrame:
    versions = _frame(rows)
    return build_features(versions, _incidents(versions), FeatureSettings(horizon_minutes=horizon))


def test_features_are_as_of_creation_and_labels_final():
    a = _features(HISTORY).filter(pl.col("sys_id") == "a").row(0, named=True)
    assert a["reassignment_count"] == 0
    assert a["assignment_group"] == "Service Desk" and a["category"] == "network"
    assert a["final_assignment_group"] == "Network Operations"
    assert a["final_category"] == "hardware"
    assert a["sla_breached"] is True and a["ttr_hours"] == pytest.approx(30)


def test_changing_later_versions_leaves_features_identical():
    rewritten = [dict(r) for r in HISTORY]
    rewritten[1].update(reassignment_count=5, priority=1, category="security")
    rewritten[2].update(priority=1, assignment_group_display="Security Operations")
    feature_columns = [
        "sys_id",
        "priority",
        "category",
        "assignment_group",
        "reassignment_count",
        "group_backlog",
        "arrivals_last_hour",
        "opened_hour",
        "in_business_hours",
    ]
    assert (
        _features(HISTORY)
        .select(feature_columns)
        .equals(_features(rewritten).select(feature_columns))
    )


def test_a_later_horizon_sees_the_versions_up_to_it():
    a = _features(HISTORY, horizon=180).filter(pl.col("sys_id") == "a").row(0, named=True)
    assert a["reassignment_count"] == 1 and a["assignment_group"] == "Network Operations"


def test_backlog_counts_incidents_open_in_the_group_at_prediction_time():
    features = _features(HISTORY).sort("opened_at")
    assert features["group_backlog"].to_list() == [0, 1]
    assert features["arrivals_last_hour"].to_list() == [0, 1]


def test_split_is_ordered_by_time():
    rows = [_version(f"{i:03d}", i, i) for i in range(40)]
    features = _features(rows)
    order = {"train": 0, "valid": 1, "test": 2}
    ranks = features.sort("opened_at")["split"].replace_strict(order).to_list()
    assert ranks == sorted(ranks)
    assert set(features["split"]) == {"train", "valid", "test"}
    latest_train = features.filter(pl.col("split") == "train")["opened_at"].max()
    assert latest_train < features.filter(pl.col("split") == "test")["opened_at"].min()


def test_ops_daily_stats_counts_and_backlog():
    stats = build_ops_daily_stats(_incidents(_frame(HISTORY)))

    def cell(day_offset: int, group: str) -> dict:
        day = (T0 + timedelta(days=day_offset)).date()
        return stats.filter((pl.col("day") == day) & (pl.col("assignment_group") == group)).row(
            0, named=True
        )

    desk = cell(0, "Service Desk")
    assert (desk["opened"], desk["resolved"], desk["backlog"], desk["sla_attainment"]) == (
        1,
        1,
        0,
        1.0,
    )
    network = cell(0, "Network Operations")
    assert (network["opened"], network["resolved"], network["backlog"]) == (1, 0, 1)
    network_next = cell(1, "Network Operations")
    assert (network_next["resolved"], network_next["backlog"]) == (1, 0)
    assert network_next["mttr_hours"] == pytest.approx(30)


def test_free_text_is_scrubbed_before_it_reaches_gold():
    rows = [
        _version(
            "p",
            0,
            0,
            short_description="VPN down for jane.doe@corp-example.com",
            description="Call me on +1 555-013-2245 from 10.24.3.17",
        )
    ]
    row = _features(rows).row(0, named=True)
    assert "jane.doe" not in row["short_description"] and "[EMAIL]" in row["short_description"]
    assert "[PHONE]" in row["description"] and "[IP]" in row["description"]


def test_an_open_incident_past_its_due_time_has_breached():
    rows = [
        _version("late", 0, 0, sla_due=T0 + timedelta(hours=4)),
        _version("late", 0, 1, state="In Progress", sla_due=T0 + timedelta(hours=4)),
        _version("fresh", 9, 9, sla_due=T0 + timedelta(hours=30)),
    ]
    labels = dict(_features(rows).select("sys_id", "sla_breached").iter_rows())
    assert labels == {"late": True, "fresh": None}


def test_made_sla_of_an_open_incident_is_provisional():
    rows = [
        _version("open", 0, 0, made_sla=True, sla_due=T0 + timedelta(hours=40)),
        _version("other", 1, 2, made_sla=True),
    ]
    labels = dict(_features(rows).select("sys_id", "sla_breached").iter_rows())
    assert labels["open"] is None


def test_a_cutoff_makes_everything_opened_from_it_the_test_split():
    rows = [_version(f"{i:03d}", 24 * i, 24 * i) for i in range(20)]
    versions = _frame(rows)
    cutoff = (T0 + timedelta(days=15)).date()
    settings = FeatureSettings(
        split=SplitSettings(test_start=cutoff.isoformat(), valid_fraction=0.15)
    )
    assert settings.test_start_date == cutoff
    features = build_features(versions, _incidents(versions), settings)
    test = features.filter(pl.col("split") == "test")
    assert test["opened_at"].dt.date().min() == cutoff and test.height == 5
    assert features.filter(pl.col("split") == "valid").height == 3


def test_a_test_end_closes_the_test_window_and_what_follows_is_after_test():
    versions = _frame([_version(f"{i:03d}", 24 * i, 24 * i) for i in range(20)])
    start, end = (T0 + timedelta(days=12)).date(), (T0 + timedelta(days=15)).date()
    settings = FeatureSettings(
        split=SplitSettings(test_start=start.isoformat(), test_end=end.isoformat())
    )
    features = build_features(versions, _incidents(versions), settings)
    days = {
        split: sorted(group["opened_at"].dt.date().to_list())
        for (split,), group in features.group_by("split")
    }
    assert days["test"] == [start + timedelta(days=i) for i in range(3)]
    assert days["after_test"] == [end + timedelta(days=i) for i in range(5)]
    # The window's end moves nothing before it: train and valid are as without it.
    unbounded = FeatureSettings(split=SplitSettings(test_start=start.isoformat()))
    without_end = build_features(versions, _incidents(versions), unbounded)
    before = pl.col("opened_at").dt.date() < start
    assert features.filter(before).equals(without_end.filter(before))


@pytest.mark.parametrize(
    ("timezone", "hour", "weekday", "in_hours"),
    # 2026-01-05 04:30 UTC is a Monday: still Sunday evening in New York, mid-morning in Tokyo.
    [("UTC", 4, 1, 0), ("America/New_York", 23, 7, 0), ("Asia/Tokyo", 13, 1, 1)],
)
def test_business_hours_follow_the_teams_time_zone(timezone, hour, weekday, in_hours):
    versions = _frame([_version("c", -4.5, -4.5)])
    settings = FeatureSettings(business_hours_timezone=timezone)
    row = build_features(versions, _incidents(versions), settings).row(0, named=True)
    assert (row["opened_hour"], row["opened_weekday"], row["in_business_hours"]) == (
        hour,
        weekday,
        in_hours,
    )


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="IANA time zone"):
        FeatureSettings(business_hours_timezone="Mars/Olympus")


def test_an_incident_first_seen_after_its_prediction_time_borrows_nothing():
    rows = [*HISTORY, _version("late", 2, 7, reassignment_count=2, category="hardware")]
    late = _features(rows).filter(pl.col("sys_id") == "late").row(0, named=True)
    assert late["known_at_prediction"] is False
    assert late["as_of_lag_hours"] == pytest.approx(5)
    assert late["category"] is None and late["reassignment_count"] is None
    assert late["split"] == "excluded"
    known = _features(rows).filter(pl.col("sys_id") != "late")
    assert known["known_at_prediction"].all() and (known["as_of_lag_hours"] == 0).all()


def test_the_prediction_time_is_the_creation_when_it_follows_the_opening():
    created = T0 + timedelta(minutes=7)
    rows = [_version("a", 0, 7 / 60, sys_created_on=created, category="network")]
    (row,) = _features(rows).to_dicts()
    assert row["predict_at"] == created and row["known_at_prediction"] is True


def test_incidents_opened_before_the_first_day_pulled_are_left_out():
    first_day = (T0 + timedelta(days=1)).date()
    rows = [
        _version("old", 0, 25, partition_date=first_day),
        _version("new", 26, 26, partition_date=first_day),
    ]
    assert _features(rows)["sys_id"].to_list() == ["new"]
