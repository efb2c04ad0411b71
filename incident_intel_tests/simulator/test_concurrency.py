"""An expensive query must not hold up the requests that arrive while it runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from incident_intel.simulator.canonical import Version
from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel_tests.simulator.keyset import window_query
from incident_intel_tests.simulator.support import DAY, NEXT_DAY, NOW, RECENT_START, serving

URL = "/api/now/table/incident"
# Bounds on waiting for the other side, not expectations of speed. The gate outlasts the
# test's waits, so a server that stalls behind it fails the test instead of catching up.
WAIT_SECONDS = 10
GATE_SECONDS = 60


class GatedStore(SyntheticIncidentStore):
    """A store whose reads wait until the test opens the gate: a query exactly as slow as needed."""

    def __init__(self) -> None:
        super().__init__(7, 60, RECENT_START, clock=lambda: NOW)
        self.entered = threading.Event()
        self.gate = threading.Event()

    def current_between(self, start: datetime, end: datetime) -> list[Version]:
        self.entered.set()
        self.gate.wait(GATE_SECONDS)
        return super().current_between(start, end)


def test_health_and_other_queries_answer_while_a_query_is_evaluated():
    store = GatedStore()
    page = {"sysparm_query": window_query(DAY, NEXT_DAY), "sysparm_limit": 5}
    with serving(store) as client, ThreadPoolExecutor(1) as pool:
        try:
            slow = pool.submit(client.get, URL, params=page)
            assert store.entered.wait(WAIT_SECONDS)
            health = client.get("/health", timeout=WAIT_SECONDS)
            refused = client.get(URL, params={"sysparm_limit": "ten"}, timeout=WAIT_SECONDS)
            assert not slow.done()
        finally:
            store.gate.set()
        answered = slow.result(WAIT_SECONDS)
    assert health.json() == {"status": "ok"}
    assert refused.status_code == 400
    assert answered.status_code == 200
    assert len(answered.json()["result"]) == 5
