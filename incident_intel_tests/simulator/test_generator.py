from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from incident_intel.simulator import catalog, subcategories
from incident_intel.simulator.canonical import typed_schema
from incident_intel.simulator.generator import MAX_LIFETIME_DAYS, generate_day
from incident_intel.simulator.pii import GENERATORS, pii_samples
from incident_intel_tests.simulator.support import START_DATE, synthetic_store

OPENED = date(2026, 1, 5)
OPEN_STATES = ("New", "In Progress", "On Hold")


@pytest.fixture(scope="module")
def month() -> pl.DataFrame:
    """Every version of four weeks of incidents, 150 a day."""
    store = synthetic_store(incidents_per_day=150)
    return store.generate_canonical_frame(date(2026, 1, 5), date(2026, 2, 1))


def _final(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("sys_updated_on").group_by("sys_id").agg(pl.all().last())


def test_a_day_depends_only_on_seed_and_day():
    assert_frame_equal(generate_day(3, OPENED, 50), generate_day(3, OPENED, 50))
    assert not generate_day(3, OPENED, 50).equals(generate_day(4, OPENED, 50))


def test_frame_has_the_canonical_schema_and_unique_keys(month):
    assert month.schema == pl.Schema(typed_schema())
    assert month.select(pl.struct("sys_updated_on", "sys_id").is_unique().all()).item()
    numbers = month.select("number", "sys_id").unique()
    assert numbers["number"].n_unique() == numbers["sys_id"].n_unique() == numbers.height
    assert numbers["number"].str.contains(r"^INC\d{10}$").all()
    assert numbers["sys_id"].str.contains(r"^[0-9a-f]{32}$").all()


def test_versions_of_an_incident_are_ordered_and_consistent(month):
    per_incident = month.sort("sys_updated_on").group_by("sys_id", maintain_order=True)
    checks = per_incident.agg(
        first_is_new=pl.col("state").first() == "New",
        opened_first=pl.col("sys_updated_on").first() == pl.col("opened_at").first(),
        created_at_insert=(pl.col("sys_created_on") == pl.col("sys_updated_on").first()).all(),
        mod_counts=(pl.col("sys_mod_count") == pl.int_range(pl.len())).all(),
        reassignments_rise=(pl.col("reassignment_count").diff().fill_null(0) >= 0).all(),
        reopens_rise=(pl.col("reopen_count").diff().fill_null(0) >= 0).all(),
        sla_never_recovers=(pl.col("made_sla").cast(pl.Int8).diff().fill_null(0) <= 0).all(),
        lifetime=(pl.col("sys_updated_on").max() - pl.col("opened_at").first()),
    )
    for name in checks.columns[1:-1]:
        assert checks[name].all(), name
    assert checks["lifetime"].max() < timedelta(days=MAX_LIFETIME_DAYS)

    open_rows = month.filter(pl.col("state").is_in(OPEN_STATES))
    assert open_rows["resolved_at"].null_count() == open_rows.height
    assert open_rows["closed_at"].null_count() == open_rows.height
    resolved = month.filter(pl.col("state").is_in(["Resolved", "Closed"]))
    assert resolved["resolved_at"].null_count() == 0
    assert resolved["close_code"].null_count() == 0
    closed = month.filter(pl.col("state") == "Closed")
    assert (closed["closed_at"] == closed["sys_updated_on"]).all()
    assert month.filter(pl.col("state") == "New")["assigned_to"].null_count() > 0


def test_reassignment_moves_the_incident_between_groups(month):
    moved = month.filter(pl.col("reassignment_count") > 0)["sys_id"].unique()
    groups = (
        month.filter(pl.col("sys_id").is_in(moved.implode()))
        .group_by("sys_id")
        .agg(pl.col("assignment_group").n_unique())
    )
    assert (groups["assignment_group"] > 1).all()


def test_volume_follows_the_weekly_and_daily_profile(month):
    final = _final(month)
    opened = final["opened_at"]
    per_day = final.group_by(opened.dt.date().alias("day")).len()
    weekend = per_day.filter(pl.col("day").dt.weekday() >= 6)["len"].mean()
    weekday = per_day.filter(pl.col("day").dt.weekday() < 6)["len"].mean()
    assert 0.3 < weekend / weekday < 0.5
    assert 140 < per_day["len"].mean() < 160
    business = opened.dt.hour().is_between(8, 17).mean()
    assert business > 0.6


def test_outcomes_are_realistic_and_depend_on_fields(month):
    final = _final(month).filter(pl.col("resolved_at").is_not_null())
    assert 0.15 <= 1 - final["made_sla"].mean() <= 0.30
    breach = final.group_by("reassignment_count").agg(pl.col("made_sla").not_().mean())
    rates = dict(breach.iter_rows())
    assert rates[2] > rates[0]
    due = final["sla_due"] - final["opened_at"]
    targets = {1: 4, 2: 8, 3: 24, 4: 72, 5: 120}
    assert (due == final["priority"].replace_strict(targets) * timedelta(hours=1)).all()
    assert (final["made_sla"] == (final["resolved_at"] <= final["sla_due"])).all()
    assert 0.02 < (final["reopen_count"] > 0).mean() < 0.08


def test_the_final_group_usually_matches_the_subcategory(month):
    right = {(s.category, s.name): s.group for s in subcategories.SUBCATEGORIES}
    final = _final(month)
    expected = [right[(c, s)] for c, s in zip(final["category"], final["subcategory"], strict=True)]
    agreement = (final["assignment_group_display"] == pl.Series(expected)).mean()
    assert 0.85 < agreement < 0.97
    assert final["assignment_group_display"].n_unique() == len(catalog.GROUPS)


def test_text_plants_every_pii_format(month):
    text = "\n".join(_final(month)["description"].to_list())
    samples = pii_samples()
    assert set(samples) == set(GENERATORS)
    shapes = {
        "email_corp": r"[a-z]+\.[a-z]+@corp-example\.com",
        "email_org": r"[a-z]+@example\.org",
        "phone_international": r"\+1 555-01\d-\d{4}",
        "phone_parenthesised": r"\(555\) 01\d-\d{4}",
        "phone_dotted": r"555\.01\d\.\d{4}",
        "phone_uk": r"\+44 20 7946 0\d{3}",
        "phone_local": r"(?<![\d-])555-01\d{2}(?![\d-])",
        "ipv4": r"10\.\d{1,3}\.\d{1,3}\.\d{1,3}",
        "user_id_label": r"user id: [a-z]+\d+",
        "user_id_assignment": r"userid=[A-Z]{2}\d{5}",
        "uid": r"uid: x\d{6}",
        "login": r"login [a-z]+\d+",
        "employee_id": r"EMP-\d{6}",
    }
    for kind, shape in shapes.items():
        assert re.fullmatch(shape, samples[kind]), kind
        assert re.search(shape, text), kind


def test_bulk_generation_matches_the_lazy_store():
    # Generation speed is measured by `incident-intel bench ingest`, not asserted here.
    store = synthetic_store(incidents_per_day=20_000)
    frame = store.generate_canonical_frame(OPENED, OPENED)
    incidents = frame["sys_id"].n_unique()
    assert 18_000 < incidents < 30_000

    later = datetime(2026, 3, 1, tzinfo=UTC)
    lazy = synthetic_store(incidents_per_day=20, now=later)
    bulk = lazy.generate_canonical_frame(OPENED, OPENED)
    opened = datetime.combine(OPENED, datetime.min.time(), tzinfo=UTC)
    served = lazy.ground_truth(opened, opened + timedelta(days=MAX_LIFETIME_DAYS))
    assert_frame_equal(
        served.filter(pl.col("sys_id").is_in(bulk["sys_id"].implode())),
        bulk.sort("sys_updated_on", "sys_id"),
    )


def test_no_incidents_open_before_the_start_date():
    store = synthetic_store(start_date=START_DATE)
    before = store.generate_canonical_frame(START_DATE - timedelta(days=3), START_DATE)
    assert before["opened_at"].dt.date().min() == START_DATE
    assert store.generate_canonical_frame(date(2020, 1, 1), date(2020, 1, 2)).is_empty()
