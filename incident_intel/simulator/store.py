"""The simulator's version log: what a client polling the `incident` table would have seen.

Every update of an incident is a separate version, served as a row of the table once its
`sys_updated_on` is at or before the store's clock. The sort key (sys_updated_on, sys_id) is
unique among served rows, because a client pages by keyset on it.

Updates injected while a client pages (`apply_update`) live in an overlay on top of the
stored versions, so that stores can keep their stored versions immutable and cached.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import polars as pl

from incident_intel.simulator.canonical import (
    Version,
    cast,
    ceil_timestamp,
    format_timestamp,
    from_versions,
    sort_key,
)

Clock = Callable[[], datetime]
# A concurrent update moves an incident along, never backwards in its lifecycle.
PROGRESSION = {"New": "In Progress", "On Hold": "In Progress"}


def wall_clock() -> datetime:
    return datetime.now(UTC)


def _as_int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


class IncidentStore(ABC):
    """Versions of incidents, visible once `sys_updated_on <= clock()`.

    Returned versions are shared: callers must not mutate them.
    """

    def __init__(self, clock: Clock | None = None) -> None:
        self.clock: Clock = clock or wall_clock
        self._lock = threading.RLock()
        # sys_id -> [(inserted version, sys_mod_count of the stored version it follows)]
        self._inserted: dict[str, list[tuple[Version, int | None]]] = {}

    @abstractmethod
    def _stored_between(self, start: str, end: str) -> list[Version]:
        """Stored versions with start <= sys_updated_on < end, sorted by the key."""

    @abstractmethod
    def _stored_history(self, version: Version) -> list[Version]:
        """Every stored version of `version`'s incident, sorted by sys_updated_on."""

    @abstractmethod
    def earliest(self) -> datetime:
        """No version is updated before this moment."""

    def _visible_end(self, end: datetime) -> str:
        """The exclusive upper bound of served timestamps: `end`, or just after the clock."""
        now = self.clock().astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
        return min(ceil_timestamp(end), format_timestamp(now))

    def unservable_between(self, start: datetime, end: datetime) -> list[Version]:
        """Versions held but servable in no window, attributed to [start, end) by opened_at.

        A replayed export can hold rows whose update time does not parse: no sys_updated_on
        window can contain them, yet they must reach silver's rejects rather than vanish.
        """
        return []

    def versions_between(self, start: datetime, end: datetime) -> list[Version]:
        """Visible versions with start <= sys_updated_on < end, sorted by the key."""
        low, high = ceil_timestamp(start), self._visible_end(end)
        if low >= high:
            return []
        with self._lock:
            versions = self._stored_between(low, high)
            if not self._inserted:
                return versions
            return self._with_overlay(versions, low, high)

    def _renumbered(self, version: Version) -> Version:
        """A stored version whose sys_mod_count counts the updates inserted before it."""
        inserted = self._inserted.get(version["sys_id"] or "")
        mod_count = _as_int(version["sys_mod_count"])
        if not inserted or mod_count is None:
            return version
        updated = version["sys_updated_on"] or ""
        shift = sum(1 for v, _ in inserted if (v["sys_updated_on"] or "") < updated)
        return {**version, "sys_mod_count": str(mod_count + shift)} if shift else version

    def _inserted_version(self, version: Version, base_mod_count: int | None) -> Version:
        if base_mod_count is None:
            return version
        updated = version["sys_updated_on"] or ""
        inserted = self._inserted[version["sys_id"] or ""]
        position = sum(1 for v, _ in inserted if (v["sys_updated_on"] or "") <= updated)
        return {**version, "sys_mod_count": str(base_mod_count + position)}

    def _with_overlay(self, versions: list[Version], low: str, high: str) -> list[Version]:
        merged = [self._renumbered(v) for v in versions]
        extra = [
            self._inserted_version(v, base)
            for inserted in self._inserted.values()
            for v, base in inserted
            if low <= (v["sys_updated_on"] or "") < high
        ]
        return sorted(merged + extra, key=sort_key) if extra else merged

    def _history(self, version: Version) -> list[Version]:
        stored = [self._renumbered(v) for v in self._stored_history(version)]
        inserted = [
            self._inserted_version(v, base)
            for v, base in self._inserted.get(version["sys_id"] or "", [])
        ]
        return sorted(stored + inserted, key=sort_key)

    def apply_update(self, version: Version, at: datetime) -> Version | None:
        """Insert a new version of `version`'s incident updated at `at` (a concurrent update).

        The new version copies the incident's fields as of `at`, moves a New or On Hold incident
        to In Progress and counts one more modification, as do the incident's later versions.
        Returns None when the incident already has a version at that second.
        """
        moment = format_timestamp(at)
        with self._lock:
            stored = self._stored_history(version)
            history = self._history(version)
            if any(v["sys_updated_on"] == moment for v in history):
                return None
            earlier = [v for v in history if (v["sys_updated_on"] or "") < moment]
            stored_earlier = [v for v in stored if (v["sys_updated_on"] or "") < moment]
            if not earlier or not stored_earlier:
                return None
            base = earlier[-1]
            state = base["state"] or ""
            new = {**base, "sys_updated_on": moment, "state": PROGRESSION.get(state, state)}
            entry = (new, _as_int(stored_earlier[-1]["sys_mod_count"]))
            self._inserted.setdefault(version["sys_id"] or "", []).append(entry)
            return self._inserted_version(*entry)

    def _window_frame(self, start: datetime, end: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
        valid, rejects = cast(from_versions(self.versions_between(start, end)))
        return valid.sort("sys_updated_on", "sys_id"), rejects

    def ground_truth(self, start: datetime, end: datetime) -> pl.DataFrame:
        """The visible versions in [start, end) that silver should accept, typed canonical."""
        return self._window_frame(start, end)[0]

    def ground_truth_rejects(self, start: datetime, end: datetime) -> pl.DataFrame:
        """The visible versions in [start, end) that silver should reject: raw strings + reason."""
        return self._window_frame(start, end)[1]
