"""Request counts, latency percentiles and the mix of routing actions, since the API started."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict, deque
from typing import Any

import numpy as np

# Latency percentiles are over each route's most recent requests.
WINDOW = 10_000


class RequestStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[tuple[str, int]] = Counter()
        self._latency: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=WINDOW))
        self._actions: dict[str, Counter[str]] = defaultdict(Counter)
        self.incidents_scored = 0

    def record_request(self, route: str, status: int, milliseconds: float) -> None:
        with self._lock:
            self._counts[(route, status)] += 1
            self._latency[route].append(milliseconds)

    def record_scores(self, scored: list[dict[str, Any]]) -> None:
        with self._lock:
            self.incidents_scored += len(scored)
            for row in scored:
                for key, value in row.items():
                    if key.endswith("_action") and value is not None:
                        self._actions[key.removesuffix("_action")][value] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            requests: dict[str, dict[str, int]] = defaultdict(dict)
            for (route, status), n in sorted(self._counts.items()):
                requests[route][str(status)] = n
            latency = {
                route: {
                    f"p{q}_ms": round(float(np.percentile(list(values), q)), 2)
                    for q in (50, 95, 99)
                }
                | {"count": len(values)}
                for route, values in self._latency.items()
                if values
            }
            return {
                "requests": dict(requests),
                "latency": latency,
                "incidents_scored": self.incidents_scored,
                "action_mix": {target: dict(mix) for target, mix in self._actions.items()},
            }
