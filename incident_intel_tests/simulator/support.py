"""Shared constants and builders for the simulator tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from itertools import groupby

import httpx

from incident_intel.simulator.audit import audited_fields
from incident_intel.simulator.canonical import Version
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel.simulator.store import IncidentStore
from incident_intel.simulator.synthetic import SyntheticIncidentStore

NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)
DAY = datetime(2026, 1, 5, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
START_DATE = date(2025, 12, 1)


# Opening days take time to generate: a store built for one test starts a few days before DAY.
RECENT_START = date(2026, 1, 1)


def synthetic_store(
    incidents_per_day: float = 60,
    seed: int = 7,
    now: datetime = NOW,
    deleted_share: float = 0.005,
    start_date: date = RECENT_START,
) -> SyntheticIncidentStore:
    return SyntheticIncidentStore(
        seed, incidents_per_day, start_date, clock=lambda: now, deleted_share=deleted_share
    )


def inserted_within(versions: list[Version], start: datetime) -> list[Version]:
    """The versions of incidents inserted at or after `start`: whole histories in a window."""
    return [
        v for v in versions if (v["sys_created_on"] or "") >= start.strftime("%Y-%m-%d %H:%M:%S")
    ]


@contextmanager
def serving(store: IncidentStore, **settings: object) -> Iterator[httpx.Client]:
    """An httpx client bound to a running simulator serving `store`."""
    with (
        SimulatorServer(store, SimulatorSettings(**settings)) as server,  # type: ignore[arg-type]
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        yield client


def assert_audit_rebuilds(rows: list[dict[str, str]], versions: list[Version]) -> int:
    """Replayed in order, the audit rows give every version's API values, and nothing more.

    `versions` must hold whole histories, from each incident's insert; returns how many
    versions were checked.
    """
    trails: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["sys_created_on"], r["sys_id"])):
        trails[row["documentkey"]].append(row)
    ordered = sorted(versions, key=lambda v: (v["sys_id"] or "", v["sys_updated_on"] or ""))
    for sys_id, history in groupby(ordered, key=lambda v: v["sys_id"] or ""):
        trail, state, applied = trails.pop(sys_id, []), {}, 0
        for version in history:
            while applied < len(trail) and trail[applied]["sys_created_on"] <= (
                version["sys_updated_on"] or ""
            ):
                row = trail[applied]
                assert row["sys_created_on"] == version["sys_updated_on"], row
                assert row["record_checkpoint"] == version["sys_mod_count"], row
                assert state.get(row["fieldname"], "") == row["oldvalue"] != row["newvalue"], row
                state[row["fieldname"]] = row["newvalue"]
                applied += 1
            expected = {f.name: f.value(version) for f in audited_fields()}
            assert {k: v for k, v in state.items() if v} == {k: v for k, v in expected.items() if v}
        assert applied == len(trail), trail[applied:]
    assert not trails, f"audit rows of incidents without versions: {list(trails)[:3]}"
    return len(versions)
