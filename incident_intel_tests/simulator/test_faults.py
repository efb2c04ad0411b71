"""Each fault knob, observed over real HTTP."""

from __future__ import annotations

import json
import time

import pytest

from incident_intel.simulator.canonical import sort_key
from incident_intel.simulator.settings import FaultSettings
from incident_intel_tests.simulator.keyset import Pull, key, pull, value, window_query
from incident_intel_tests.simulator.support import DAY, NEXT_DAY, serving, synthetic_store

URL = "/api/now/table/incident"
PAGE = {"sysparm_query": window_query(DAY, NEXT_DAY), "sysparm_limit": 50}


def _truth_keys(store) -> list[tuple[str, str]]:
    return [sort_key(v) for v in store.current_between(DAY, NEXT_DAY)]


def _last_seen(pulled: Pull) -> dict[str, tuple[str, str]]:
    """Each incident's key as last pulled: what a client keeps of a record served twice."""
    return {value(r, "sys_id"): key(r) for r in pulled.rows}


def test_error_rate_answers_5xx_reproducibly(shared_store):
    def statuses() -> list[int]:
        with serving(shared_store, faults=FaultSettings(seed=3, error_rate=0.5)) as client:
            return [client.get(URL, params=PAGE).status_code for _ in range(12)]

    first = statuses()
    assert first == statuses()
    assert 200 in first
    assert {s for s in first if s != 200} <= {500, 503}
    assert len(set(first)) > 1
    with serving(shared_store, faults=FaultSettings(error_rate=1.0)) as client:
        failed = client.get(URL, params=PAGE)
    assert failed.status_code in (500, 503)
    assert failed.json()["status"] == "failure"


def test_latency_delays_every_response(shared_store):
    with serving(shared_store, faults=FaultSettings(latency_ms=300)) as client:
        started = time.perf_counter()
        client.get(URL, params=PAGE)
    assert time.perf_counter() - started >= 0.3


def test_truncated_body_is_a_200_with_a_cut_json(shared_store):
    with serving(shared_store) as client:
        whole = client.get(URL, params=PAGE).content.replace(str(client.base_url).encode(), b"")
    with serving(shared_store, faults=FaultSettings(truncated_body_rate=1.0)) as client:
        response = client.get(URL, params=PAGE)
        cut = response.content.replace(str(client.base_url).encode(), b"")
    assert response.status_code == 200
    assert 0 < len(cut) < len(whole)
    assert whole.startswith(cut)
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_duplicate_rows_repeat_the_previous_pages_last_row(shared_store):
    with serving(shared_store, faults=FaultSettings(duplicate_row_rate=1.0)) as client:
        pulled = pull(client, DAY, NEXT_DAY, limit=10)
    for previous, page in zip(pulled.pages, pulled.pages[1:], strict=False):
        assert page[0] == previous[-1]
    assert len(pulled.rows) > len(pulled.keys)
    assert pulled.keys == _truth_keys(shared_store)


def test_short_pages_only_lose_rows_that_the_next_page_returns(shared_store):
    with serving(shared_store, faults=FaultSettings(short_page_rate=1.0)) as client:
        pulled = pull(client, DAY, NEXT_DAY, limit=10)
    assert all(len(page) < 10 for page in pulled.pages)
    assert len(pulled.rows) == len(pulled.keys)
    assert pulled.keys == _truth_keys(shared_store)
    totals = {r.headers["X-Total-Count"] for r in pulled.responses[:1]}
    assert totals == {str(len(pulled.keys))}


def test_updates_during_paging_land_later_in_the_window_and_persist():
    store = synthetic_store()
    before = store.versions_between(DAY, NEXT_DAY)
    with serving(store, faults=FaultSettings(seed=1, update_during_paging_rate=1.0)) as client:
        pulled = pull(client, DAY, NEXT_DAY, limit=10)
    after = store.versions_between(DAY, NEXT_DAY)
    assert len(after) > len(before)
    assert store.ground_truth(DAY, NEXT_DAY).height == len(after)
    # An updated incident comes again later in the pull, as its new current record: the
    # client's last sight of every incident is the table as it stands.
    assert len(pulled.keys) > len(_last_seen(pulled))
    assert sorted(_last_seen(pulled).values()) == _truth_keys(store)
    for sys_id in _last_seen(pulled):
        history = [r for r in pulled.rows if value(r, "sys_id") == sys_id]
        mod_counts = [int(value(r, "sys_mod_count")) for r in history]
        assert mod_counts == sorted(set(mod_counts))


def test_faults_together_still_give_the_current_records_to_a_keyset_reader():
    store = synthetic_store()
    faults = FaultSettings(
        seed=5, update_during_paging_rate=0.3, duplicate_row_rate=0.5, short_page_rate=0.5
    )
    with serving(store, faults=faults) as client:
        pulled = pull(client, DAY, NEXT_DAY, limit=4)
    assert len(pulled.rows) > len(pulled.keys) > len(_last_seen(pulled))
    assert sorted(_last_seen(pulled).values()) == _truth_keys(store)
