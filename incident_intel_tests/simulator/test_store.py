from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from incident_intel.simulator.canonical import columns, sort_key
from incident_intel_tests.simulator.support import DAY, NEXT_DAY, synthetic_store


def _keys(versions):
    return [sort_key(v) for v in versions]


def test_a_window_is_the_same_whatever_was_asked_before():
    direct = synthetic_store().versions_between(DAY, NEXT_DAY)
    wide_store = synthetic_store()
    wide = wide_store.versions_between(DAY - timedelta(days=3), NEXT_DAY + timedelta(days=2))
    day = DAY.strftime("%F")
    inside = [v for v in wide if (v["sys_updated_on"] or "").startswith(day)]
    assert direct == inside
    assert len(direct) > 100
    assert set(direct[0]) == set(columns())


def test_versions_are_sorted_with_unique_keys(shared_store):
    versions = shared_store.versions_between(DAY, NEXT_DAY + timedelta(days=2))
    keys = _keys(versions)
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_only_versions_up_to_the_clock_are_visible():
    noon = DAY + timedelta(hours=12)
    store = synthetic_store(now=noon)
    visible = store.versions_between(DAY, NEXT_DAY)
    assert visible
    assert max(v["sys_updated_on"] for v in visible) <= "2026-01-05 12:00:00"
    assert store.versions_between(NEXT_DAY, NEXT_DAY + timedelta(days=1)) == []
    later = synthetic_store(now=NEXT_DAY).versions_between(DAY, NEXT_DAY)
    assert visible == later[: len(visible)]


def test_window_bounds_are_half_open(shared_store):
    versions = shared_store.versions_between(DAY, NEXT_DAY)
    first = datetime.strptime(versions[0]["sys_updated_on"], "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=UTC
    )
    after_first = shared_store.versions_between(first + timedelta(microseconds=1), NEXT_DAY)
    assert after_first[0] != versions[0]
    assert shared_store.versions_between(DAY, first) == []


def test_ground_truth_is_typed_sorted_and_complete(shared_store):
    truth = shared_store.ground_truth(DAY, NEXT_DAY)
    assert truth.height == len(shared_store.versions_between(DAY, NEXT_DAY))
    assert truth.schema["sys_updated_on"] == pl.Datetime("us", "UTC")
    assert truth.equals(truth.sort("sys_updated_on", "sys_id"))
    assert shared_store.ground_truth_rejects(DAY, NEXT_DAY).is_empty()


def test_an_update_is_inserted_and_later_versions_count_it():
    store = synthetic_store()

    def history_of(version):
        lifetime = store.versions_between(DAY - timedelta(days=1), DAY + timedelta(days=31))
        return [v for v in lifetime if v["sys_id"] == version["sys_id"]]

    new_incident = next(v for v in store.versions_between(DAY, NEXT_DAY) if v["state"] == "New")
    before = history_of(new_incident)
    at = datetime.strptime(new_incident["sys_updated_on"], "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=UTC
    ) + timedelta(seconds=1)

    inserted = store.apply_update(new_incident, at)

    assert inserted is not None
    assert inserted["state"] == "In Progress"
    assert inserted["sys_mod_count"] == "1"
    after = history_of(new_incident)
    assert len(after) == len(before) + 1
    assert [v["sys_mod_count"] for v in after] == [str(i) for i in range(len(after))]
    assert inserted in store.versions_between(DAY, NEXT_DAY)
    assert store.ground_truth(DAY, NEXT_DAY).height == len(store.versions_between(DAY, NEXT_DAY))
    assert store.apply_update(new_incident, at) is None
