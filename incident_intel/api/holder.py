"""The scoring service in use, swapped for a new one when a model is promoted.

A request takes the current service once and keeps it to the end, so a swap never fails or
mixes versions within a request: the new service is loaded beside the old one, then replaces
it in a single reference assignment.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from incident_intel.scoring.promoted import latest_versions
from incident_intel.scoring.service import ScoringService
from incident_intel.storage.model_store import ModelStore

log = logging.getLogger(__name__)


class ServiceHolder:
    def __init__(self, load: Callable[[], ScoringService], store: ModelStore) -> None:
        self._load = load
        self._store = store
        self._swap_lock = threading.Lock()
        self.current: ScoringService = load()
        self.loaded_at = datetime.now(UTC)
        self.last_error: str | None = None
        self.swaps = 0

    def refresh(self) -> bool:
        """Load and swap in a new service if `latest` moved; True when it swapped.

        A failed load keeps the old service serving and is reported by /health.
        """
        with self._swap_lock:
            if latest_versions(self._store) == self.current.versions:
                return False
            try:
                fresh = self._load()
            # Whatever broke the load, the old models keep serving and /health says why.
            except Exception as error:
                self.last_error = f"loading the promoted models failed: {error}"
                log.exception("hot swap failed; the previous models keep serving")
                return False
            self.current, self.loaded_at, self.last_error = fresh, datetime.now(UTC), None
            self.swaps += 1
            log.info("swapped in models %s", fresh.versions)
            return True


class PromotionWatcher:
    """A daemon thread that calls each refresh every `interval` seconds until stopped."""

    def __init__(self, refreshes: list[Callable[[], bool]], interval: float) -> None:
        self._refreshes = refreshes
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="promotion-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            for refresh in self._refreshes:
                refresh()
