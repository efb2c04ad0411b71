"""What wraps every response: its latency into the request stats, and the nosniff header.

Plain ASGI rather than Starlette's `BaseHTTPMiddleware`, which runs the rest of the app as
another task and streams its response through a queue: on the API's busy 2 cores, every such
hand-over waited for the event loop's turn on a core.
"""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from incident_intel.api.stats import RequestStats


class Measured:
    def __init__(self, app: ASGIApp, stats: RequestStats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it starts a response

        async def send_marked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Content-Type-Options"] = "nosniff"
            await send(message)

        try:
            await self.app(scope, receive, send_marked)
        finally:
            # The router puts the matched route into this same scope.
            route = scope.get("route")
            path = route.path if route is not None else "unrouted"
            self.stats.record_request(path, status, (time.perf_counter() - started) * 1000)
