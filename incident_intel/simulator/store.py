"""The simulator's incidents, as a ServiceNow instance would hold them at the store's clock.

Underneath is a version log: every update of an incident is a separate version, visible once its
`sys_updated_on` is at or before the clock. It is the ground truth the tests check pulls against.
The tables are served from it:
- `incident`: each incident's current version (its latest visible one), unless it was deleted;
- `sys_audit`: one row per field change, inserts included (see `audit`);
- `sys_audit_delete`: one row per deleted incident.
Each table's sort key (time, sys_id) is unique among its rows, because a client pages by keyset.

Updates injected while a client pages (`apply_update`) live in an overlay on top of the
stored versions, so that stores can keep their stored versions immutable and cached.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import polars as pl

from incident_intel.simulator.audit import AuditRow, audit_frame
from incident_intel.simulator.canonical import (
    Version,
    cast,
    ceil_timestamp,
    format_timestamp,
    from_versions,
    parse_timestamp,
    sort_key,
)

Clock = Callable[[], datetime]
# When a version that nothing follows stops being current: after every timestamp.
NEVER = "9999-12-31 23:59:59"
# A concurrent update moves an incident along, never backwards in its lifecycle.
PROGRESSION = {"New": "In Progress", "On Hold": "In Progress"}


def wall_clock() -> datetime:
    return datetime.now(UTC)


def _as_int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() else None


def _audit_key(row: AuditRow) -> tuple[str, str]:
    return row["sys_created_on"], row["sys_id"]


class IncidentStore(ABC):
    """Versions of incidents, visible once `sys_updated_on <= clock()`, and the tables they make.

    Returned versions and rows are shared: callers must not mutate them.
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
    def _stored_current_between(self, start: str, end: str, now: str) -> list[Version]:
        """Stored versions with start <= sys_updated_on < end that are current at `now`, sorted.

        Current: neither a later stored version nor the incident's deletion is at or before now.
        """

    @abstractmethod
    def _stored_audit_between(self, start: str, end: str) -> list[AuditRow]:
        """sys_audit rows of the stored versions with start <= sys_created_on < end, sorted."""

    def _stored_deletions_between(self, start: str, end: str) -> list[AuditRow]:
        """sys_audit_delete rows with start <= sys_created_on < end, sorted; none by default."""
        return []

    def _deleted_on(self, version: Version) -> str | None:
        """When `version`'s incident is deleted, or None if it never is."""
        return None

    @abstractmethod
    def earliest(self) -> datetime:
        """No version is updated before this moment."""

    def _now(self) -> str:
        """The clock's second: what happened at or before it is visible."""
        return format_timestamp(self.clock())

    def _visible_end(self, end: datetime, now: str) -> str:
        """The exclusive upper bound of served timestamps: `end`, or just after `now`."""
        return min(
            ceil_timestamp(end), format_timestamp(parse_timestamp(now) + timedelta(seconds=1))
        )

    def unservable_between(self, start: datetime, end: datetime) -> list[Version]:
        """Versions held but servable in no window, attributed to [start, end) by opened_at.

        A replayed export can hold rows whose update time does not parse: no sys_updated_on
        window can contain them, yet they must reach silver's rejects rather than vanish.
        """
        return []

    def versions_between(self, start: datetime, end: datetime) -> list[Version]:
        """Visible versions with start <= sys_updated_on < end, sorted by the key."""
        low, high = ceil_timestamp(start), self._visible_end(end, self._now())
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

    def current_between(self, start: datetime, end: datetime) -> list[Version]:
        """The `incident` table's rows with start <= sys_updated_on < end, sorted by the key.

        An incident's row is its latest visible version, unless it was deleted by the clock.
        """
        now = self._now()
        low, high = ceil_timestamp(start), self._visible_end(end, now)
        if low >= high:
            return []
        with self._lock:
            current = self._stored_current_between(low, high, now)
            if not self._inserted:
                return current
            kept = [v for v in current if v["sys_id"] not in self._inserted]
            moved = [
                v
                for sys_id in self._inserted
                if (v := self._current(sys_id, now)) is not None
                and low <= (v["sys_updated_on"] or "") < high
            ]
            return sorted(kept + moved, key=sort_key)

    def _current(self, sys_id: str, now: str) -> Version | None:
        """The current version at `now` of an incident updated through the overlay."""
        known = self._inserted[sys_id][0][0]
        deleted = self._deleted_on(known)
        visible = [v for v in self._history(known) if (v["sys_updated_on"] or "") <= now]
        if not visible or (deleted is not None and deleted <= now):
            return None
        return visible[-1]

    def audit_between(self, start: datetime, end: datetime) -> list[AuditRow]:
        """The `sys_audit` table's rows with start <= sys_created_on < end, sorted by the key."""
        low, high = ceil_timestamp(start), self._visible_end(end, self._now())
        if low >= high:
            return []
        with self._lock:
            rows = self._stored_audit_between(low, high)
            if not self._inserted:
                return rows
            # An inserted version changes its incident's later audit rows too (their oldvalue
            # and record_checkpoint): the overlaid incidents' trails are derived afresh.
            kept = [r for r in rows if r["documentkey"] not in self._inserted]
            histories = [
                v for inserted in self._inserted.values() for v in self._history(inserted[0][0])
            ]
            within = pl.col("sys_created_on").is_between(pl.lit(low), pl.lit(high), closed="left")
            derived = audit_frame(from_versions(histories)).filter(within).to_dicts()
            return sorted(kept + derived, key=_audit_key)

    def deletions_between(self, start: datetime, end: datetime) -> list[AuditRow]:
        """The `sys_audit_delete` table's rows with start <= sys_created_on < end, sorted."""
        low, high = ceil_timestamp(start), self._visible_end(end, self._now())
        if low >= high:
            return []
        with self._lock:
            return self._stored_deletions_between(low, high)

    def apply_update(self, version: Version, at: datetime) -> Version | None:
        """Insert a new version of `version`'s incident updated at `at` (a concurrent update).

        The new version copies the incident's fields as of `at`, moves a New or On Hold incident
        to In Progress and counts one more modification, as do the incident's later versions.
        Returns None when the incident already has a version at that second, or is deleted.
        """
        moment = format_timestamp(at)
        with self._lock:
            deleted = self._deleted_on(version)
            if deleted is not None and deleted <= moment:
                return None
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
