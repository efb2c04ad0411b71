"""Rate limiting and seeded fault injection: the failures a real instance inflicts on a client.

Faults draw from one seeded generator, so the same requests in the same order meet the same
faults. Requests are served in worker threads, so the bucket and the injector lock their state.
Page faults only ever drop rows from the end of a page or repeat rows already served,
which a keyset-paging client recovers from, as it must on a real instance.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import timedelta

from incident_intel.simulator.canonical import Version, format_timestamp, parse_timestamp
from incident_intel.simulator.settings import FaultSettings
from incident_intel.simulator.store import IncidentStore

ERROR_STATUSES = (500, 503)
# Paging streams remembered for duplicate rows; one per window being pulled is plenty.
MAX_STREAMS = 256


class TokenBucket:
    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def take(self) -> int:
        """Take a token; return 0, or the whole seconds to wait before one is available."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0
            return max(1, math.ceil((1 - self._tokens) / self.rate))


class FaultInjector:
    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._random = random.Random(settings.seed)
        self._tails: OrderedDict[Hashable, Version] = OrderedDict()
        # Guards the generator and the tails; released before the store inserts an update.
        self._lock = threading.Lock()

    def _hit(self, rate: float) -> bool:
        return rate > 0 and self._random.random() < rate

    def delayed(self) -> bool:
        with self._lock:
            return self.settings.latency_ms > 0 and self._hit(self.settings.latency_rate)

    def error_status(self) -> int | None:
        with self._lock:
            if self._hit(self.settings.error_rate):
                return self._random.choice(ERROR_STATUSES)
            return None

    def truncated(self, body: bytes) -> bytes:
        """The body cut mid-way, as a dropped connection leaves it, or unchanged."""
        with self._lock:
            if len(body) > 1 and self._hit(self.settings.truncated_body_rate):
                return body[: self._random.randint(1, len(body) - 1)]
            return body

    def page(
        self,
        rows: list[Version],
        stream: Hashable,
        limit: int,
        more_follow: bool,
        key: Callable[[Version], tuple[str, str]],
    ) -> list[Version]:
        """A page as served: maybe opening with the previous page's last row, maybe cut short.

        A short page (ServiceNow applies ACLs after the limit) loses rows from its end only,
        so the next keyset page (on `key`, the table's sort key) still returns them.
        """
        with self._lock:
            page = list(rows)
            tail = self._tails.get(stream)
            duplicated = (
                tail is not None
                and bool(page)
                and key(tail) < key(page[0])
                and self._hit(self.settings.duplicate_row_rate)
            )
            if duplicated:
                page = [tail, *page[: limit - 1]]
            # Keep at least one row the client has not seen, or its keyset could not advance.
            keep = 2 if duplicated else 1
            full = len(rows) == limit and more_follow and len(page) > keep
            if full and self._hit(self.settings.short_page_rate):
                page = page[: self._random.randint(keep, len(page) - 1)]
            if page:
                self._tails[stream] = page[-1]
                self._tails.move_to_end(stream)
                if len(self._tails) > MAX_STREAMS:
                    self._tails.popitem(last=False)
            return page

    def concurrent_update(
        self, store: IncidentStore, page: list[Version], window_end: str | None
    ) -> Version | None:
        """Maybe update a record of the page later in the same window, as another user would.

        The new version lands strictly after the page's last row, before the window's end and
        not after the clock, so the rest of the pull must pick it up.
        """
        with self._lock:
            if not page or not self._hit(self.settings.update_during_paging_rate):
                return None
            try:
                earliest = parse_timestamp(max(v["sys_updated_on"] or "" for v in page))
            except ValueError:
                return None
            earliest += timedelta(seconds=1)
            latest = parse_timestamp(format_timestamp(store.clock()))
            if window_end is not None:
                latest = min(latest, parse_timestamp(window_end) - timedelta(seconds=1))
            if earliest > latest:
                return None
            offset = self._random.randint(0, int((latest - earliest).total_seconds()))
            version = self._random.choice(page)
        return store.apply_update(version, earliest + timedelta(seconds=offset))
