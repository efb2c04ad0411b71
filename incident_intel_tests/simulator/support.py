"""Shared constants and builders for the simulator tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import httpx

from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel.simulator.store import IncidentStore
from incident_intel.simulator.synthetic import SyntheticIncidentStore

NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)
DAY = datetime(2026, 1, 5, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
START_DATE = date(2025, 12, 1)


def synthetic_store(
    incidents_per_day: float = 60, seed: int = 7, now: datetime = NOW
) -> SyntheticIncidentStore:
    return SyntheticIncidentStore(seed, incidents_per_day, START_DATE, clock=lambda: now)


@contextmanager
def serving(store: IncidentStore, **settings: object) -> Iterator[httpx.Client]:
    """An httpx client bound to a running simulator serving `store`."""
    with (
        SimulatorServer(store, SimulatorSettings(**settings)) as server,  # type: ignore[arg-type]
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        yield client
