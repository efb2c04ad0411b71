"""The incident source: a live ServiceNow instance, or the embedded simulator speaking its API.

Both twins pull through the same HTTP client, so the demo and the tests exercise the code that
runs against a real instance.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import dagster as dg
import httpx
from pydantic import PrivateAttr

from incident_intel.settings import load_config
from incident_intel.sources.servicenow_client import (
    PulledPage,
    ServiceNowTableClient,
    redact_url,
)


class IncidentSource(dg.ConfigurableResource, ABC):
    """Pulls the incident versions updated in a time window, page by page, as received."""

    mapping: str = "servicenow_table_api"
    table: str = "incident"
    page_size: int = 1000
    timeout_seconds: float = 30.0
    max_attempts: int = 6
    backoff_initial_seconds: float = 0.5
    backoff_max_seconds: float = 30.0

    @property
    @abstractmethod
    def url(self) -> str:
        """The instance URL, without credentials."""

    @abstractmethod
    def _auth(self) -> httpx.Auth | None: ...

    def pull_window(self, start: datetime, end: datetime) -> Iterator[PulledPage]:
        with ServiceNowTableClient(
            self.url,
            auth=self._auth(),
            table=self.table,
            page_size=self.page_size,
            timeout_seconds=self.timeout_seconds,
            max_attempts=self.max_attempts,
            backoff_initial_seconds=self.backoff_initial_seconds,
            backoff_max_seconds=self.backoff_max_seconds,
        ) as client:
            yield from client.pull_window(start, end)


class ServiceNowIncidentSource(IncidentSource):
    """A live ServiceNow instance's Table API, with basic or bearer credentials."""

    instance_url: str
    username: str | None = None
    password: str | None = None
    token: str | None = None

    @property
    def url(self) -> str:
        return redact_url(self.instance_url)

    def _auth(self) -> httpx.Auth | None:
        if self.token:
            return _BearerAuth(self.token)
        if self.username and self.password:
            return httpx.BasicAuth(self.username, self.password)
        raise ValueError(
            "ServiceNow credentials are missing: set SERVICENOW_TOKEN, or SERVICENOW_USERNAME "
            "and SERVICENOW_PASSWORD"
        )


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class SimulatedIncidentSource(IncidentSource):
    """The built-in simulator, started on loopback for the duration of a step.

    `synthetic` generates seeded incidents; `replay` serves a ServiceNow CSV export.
    """

    mode: str = "synthetic"
    seed: int = 42
    incidents_per_day: int = 300
    start_date: str = "2025-12-01"
    replay_csv: str | None = None
    username: str = "admin"
    password: str = "simulator"

    _server: Any = PrivateAttr(default=None)

    def _ensure_server(self) -> None:
        """Start on first use, so that steps which only read the mapping start no server."""
        if self._server is None:
            from incident_intel.simulator.server import SimulatorServer
            from incident_intel.simulator.settings import SimulatorSettings

            settings = SimulatorSettings(username=self.username, password=self.password, port=0)
            self._server = SimulatorServer(self._store(), settings)
            self._server.start()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _store(self):
        from incident_intel.simulator.replay import ReplayIncidentStore
        from incident_intel.simulator.synthetic import SyntheticIncidentStore

        if self.mode == "replay":
            if not self.replay_csv:
                raise ValueError("replay mode needs replay_csv, the path of a CSV export")
            return ReplayIncidentStore(self.replay_csv)
        if self.mode != "synthetic":
            raise ValueError(f"unknown simulator mode {self.mode!r}: use synthetic or replay")
        return SyntheticIncidentStore(
            seed=self.seed,
            incidents_per_day=self.incidents_per_day,
            start_date=date.fromisoformat(self.start_date),
        )

    @property
    def url(self) -> str:
        self._ensure_server()
        return self._server.url

    def _auth(self) -> httpx.Auth | None:
        return httpx.BasicAuth(self.username, self.password)


def _http_settings(config: dict[str, Any]) -> dict[str, Any]:
    source = config.get("source", {})
    keys = (
        "mapping",
        "table",
        "page_size",
        "timeout_seconds",
        "max_attempts",
        "backoff_initial_seconds",
        "backoff_max_seconds",
    )
    return {k: source[k] for k in keys if k in source}


def build_incident_source(config: dict[str, Any] | None = None) -> IncidentSource:
    """A live source when SERVICENOW_INSTANCE_URL is set, else the embedded simulator."""
    config = config or load_config()
    http = _http_settings(config)
    if os.environ.get("SERVICENOW_INSTANCE_URL"):
        credentials: dict[str, Any] = {}
        if os.environ.get("SERVICENOW_TOKEN"):
            credentials["token"] = dg.EnvVar("SERVICENOW_TOKEN")
        else:
            credentials["username"] = dg.EnvVar("SERVICENOW_USERNAME")
            credentials["password"] = dg.EnvVar("SERVICENOW_PASSWORD")
        return ServiceNowIncidentSource(
            instance_url=dg.EnvVar("SERVICENOW_INSTANCE_URL"), **credentials, **http
        )
    simulator = config.get("simulator", {})
    source = config.get("source", {})
    return SimulatedIncidentSource(
        mode=source.get("simulator_mode", "synthetic"),
        replay_csv=source.get("replay_csv"),
        seed=simulator.get("seed", 42),
        incidents_per_day=simulator.get("incidents_per_day", 300),
        start_date=str(simulator.get("start_date", "2025-12-01")),
        **http,
    )
