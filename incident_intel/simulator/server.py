"""Runs the simulator in a background thread, for tests and the embedded demo run."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from incident_intel.simulator.app import create_app
from incident_intel.simulator.settings import SimulatorSettings, http_url
from incident_intel.simulator.store import IncidentStore

STARTUP_TIMEOUT_SECONDS = 10.0


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port): binding before uvicorn starts tells the real port."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class SimulatorServer:
    """A context manager serving `store` on loopback; port 0 (the default) picks a free port.

    with SimulatorServer(store, settings) as server:
        httpx.get(f"{server.url}/api/now/table/incident", ...)
    """

    def __init__(self, store: IncidentStore, settings: SimulatorSettings | None = None) -> None:
        self.settings = settings or SimulatorSettings()
        self._store = store
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None

    @property
    def store(self) -> IncidentStore:
        return self._store

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("the simulator is not running")
        return http_url(self.settings.host, self._port)

    def start(self) -> SimulatorServer:
        if self._thread is not None:
            raise RuntimeError("the simulator is already running")
        sock = bind(self.settings.host, self.settings.port)
        self._port = sock.getsockname()[1]
        app = create_app(self._store, self.settings, self.settings.link_base(self._port))
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the simulator failed to start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=STARTUP_TIMEOUT_SECONDS)
        self._server = self._thread = None
        self._port = None

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
