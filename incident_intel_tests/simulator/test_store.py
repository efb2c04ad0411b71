from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from incident_intel.simulator.canonical import columns, format_timestamp, sort_key
from incident_intel_tests.simulator.support import (
    DAY,
    NEXT_DAY,
    NOW,
    START_DATE,
    assert_audit_rebuilds,
    inserted_within,
    synthetic_store,
)


def _keys(versions):
    return [sort_key(v) for v in versions]


def _parse(timestamp: str) -> datetime:
    return datetime.strptime(timestamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _ever(store) -> tuple[datetime, datetime]:
    return store.earliest(), NOW + timedelta(days=1)


def _latest_visible(store) -> dict[str, dict]:
    """Each incident's latest version up to the clock, from the version log."""
    latest = {}
    for version in store.versions_between(*_ever(store)):
        latest[version["sys_id"]] = version
    return latest


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
    first = _parse(versions[0]["sys_updated_on"])
    after_first = shared_store.versions_between(first + timedelta(microseconds=1), NEXT_DAY)
    assert after_first[0] != versions[0]
    assert shared_store.versions_between(DAY, first) == []


def test_ground_truth_is_typed_sorted_and_complete(shared_store):
    truth = shared_store.ground_truth(DAY, NEXT_DAY)
    assert truth.height == len(shared_store.versions_between(DAY, NEXT_DAY))
    assert truth.schema["sys_updated_on"] == pl.Datetime("us", "UTC")
    assert truth.equals(truth.sort("sys_updated_on", "sys_id"))
    assert shared_store.ground_truth_rejects(DAY, NEXT_DAY).is_empty()


def test_the_incident_table_holds_each_incident_once_as_of_the_clock(shared_store):
    current = shared_store.current_between(*_ever(shared_store))
    deleted = {d["documentkey"] for d in shared_store.deletions_between(*_ever(shared_store))}
    expected = [v for s, v in _latest_visible(shared_store).items() if s not in deleted]
    assert deleted
    assert current == sorted(expected, key=sort_key)
    assert len({v["sys_id"] for v in current}) == len(current) > 2000
    window = shared_store.current_between(DAY, NEXT_DAY)
    assert window == [v for v in current if DAY <= _parse(v["sys_updated_on"]) < NEXT_DAY]


def test_an_incident_moves_along_as_the_clock_does():
    noon = DAY + timedelta(hours=12)
    early = synthetic_store(20, now=noon)
    late = synthetic_store(20, now=NOW)
    at_noon = {v["sys_id"]: v for v in early.current_between(*_ever(early))}
    now = {v["sys_id"]: v for v in late.current_between(*_ever(late))}
    moved = [s for s in at_noon if s in now and at_noon[s] != now[s]]
    assert moved
    for sys_id in moved:
        assert at_noon[sys_id]["sys_updated_on"] <= "2026-01-05 12:00:00"
        assert now[sys_id]["sys_updated_on"] > at_noon[sys_id]["sys_updated_on"]
    assert set(now) > {s for s in at_noon if s in now}


def test_deletions_are_seeded_apart_and_remove_the_incident_from_the_table():
    store = synthetic_store(20, deleted_share=0.3)
    ever = _ever(store)
    # The deletion draws leave the generated versions as they were.
    untouched = synthetic_store(20, deleted_share=0)
    assert store.versions_between(DAY, NEXT_DAY) == untouched.versions_between(DAY, NEXT_DAY)
    latest = _latest_visible(store)
    deletions = store.deletions_between(*ever)
    share = len(deletions) / len(latest)
    assert 0.2 < share < 0.4
    deletion = deletions[len(deletions) // 2]
    sys_id, deleted_on = deletion["documentkey"], _parse(deletion["sys_created_on"])
    last = latest[sys_id]
    assert deletion["display_value"] == last["number"]
    assert deletion["tablename"] == "incident"
    gap = deleted_on - _parse(last["sys_updated_on"])
    assert timedelta(hours=1) <= gap <= timedelta(days=2)

    def tables_at(moment: datetime) -> tuple[set[str], list[dict[str, str]]]:
        store.clock = lambda: moment
        return {v["sys_id"] for v in store.current_between(*ever)}, store.deletions_between(*ever)

    current, deleted = tables_at(deleted_on - timedelta(seconds=1))
    assert sys_id in current
    assert deletion not in deleted
    current, deleted = tables_at(deleted_on)
    assert sys_id not in current
    assert deletion in deleted
    # ServiceNow keeps the audit trail of a deleted record.
    assert any(r["documentkey"] == sys_id for r in store.audit_between(*ever))


def test_audit_rows_are_sorted_unique_and_within_the_clock(shared_store):
    rows = shared_store.audit_between(DAY, NEXT_DAY + timedelta(days=1))
    keys = [(r["sys_created_on"], r["sys_id"]) for r in rows]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys) == len({r["sys_id"] for r in rows})
    assert all(len(r["sys_id"]) == 32 for r in rows)
    noon = DAY + timedelta(hours=12)
    early = synthetic_store(now=noon, start_date=START_DATE).audit_between(DAY, NEXT_DAY)
    assert early == [r for r in rows if r["sys_created_on"] <= format_timestamp(noon)]


def test_the_audit_of_a_window_rebuilds_the_versions_inserted_in_it(shared_store):
    start, end = DAY, DAY + timedelta(days=3)
    versions = inserted_within(shared_store.versions_between(start, end), start)
    inserted = {v["sys_id"] for v in versions}
    rows = [r for r in shared_store.audit_between(start, end) if r["documentkey"] in inserted]
    assert assert_audit_rebuilds(rows, versions) > 500


def test_an_update_is_inserted_and_later_versions_count_it():
    store = synthetic_store()
    # Incidents opened on DAY are updated from then on, and visible up to NOW.
    lifetime = (DAY, NOW + timedelta(seconds=1))

    def history_of(version):
        return [v for v in store.versions_between(*lifetime) if v["sys_id"] == version["sys_id"]]

    new_incident = next(v for v in store.versions_between(DAY, NEXT_DAY) if v["state"] == "New")
    before = history_of(new_incident)
    at = _parse(new_incident["sys_updated_on"]) + timedelta(seconds=1)

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

    # The incident's row and audit trail follow the renumbered history.
    current = [v for v in store.current_between(*lifetime) if v["sys_id"] == inserted["sys_id"]]
    assert current == [after[-1]]
    trail = [r for r in store.audit_between(*lifetime) if r["documentkey"] == inserted["sys_id"]]
    assert_audit_rebuilds(trail, after)
    state = [r for r in trail if r["fieldname"] == "state" and r["record_checkpoint"] == "1"]
    assert [(r["oldvalue"], r["newvalue"], r["sys_created_on"]) for r in state] == [
        ("1", "2", inserted["sys_updated_on"])
    ]


def test_a_window_s_current_records_reflect_an_update_that_moves_an_incident_into_it():
    store = synthetic_store()
    before = store.current_between(DAY, NEXT_DAY)
    version = store.current_between(DAY - timedelta(days=2), DAY)[0]
    inserted = store.apply_update(version, DAY + timedelta(hours=1))
    assert inserted is not None
    after = store.current_between(DAY, NEXT_DAY)
    assert after == sorted([*before, inserted], key=sort_key)


def test_a_deleted_incident_takes_no_update():
    store = synthetic_store(20, deleted_share=1.0)
    deletion = store.deletions_between(DAY, NEXT_DAY)[0]
    version = next(
        v for v in store.versions_between(*_ever(store)) if v["sys_id"] == deletion["documentkey"]
    )
    assert store.apply_update(version, _parse(deletion["sys_created_on"])) is None


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_the_deleted_share_must_be_a_share(share):
    with pytest.raises(ValueError, match="deleted_share"):
        synthetic_store(deleted_share=share)
