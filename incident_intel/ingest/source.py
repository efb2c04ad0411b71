"""The incident source: a live ServiceNow instance, or the embedded simulator speaking its API.

Both twins pull through the same HTTP client, so the demo and the tests exercise the code that
runs against a real instance.
"""

from __future__ import annotations

import dataclasses
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

import dagster as dg
import httpx
from pydantic import PrivateAttr

from incident_intel.ingest.servicenow_client import (
    PulledPage,
    ServiceNowTableClient,
    redact_url,
)
from incident_intel.settings import ProjectSettings, SimulatorSection, SourceSettings
from incident_intel.silver.audit import AUDIT_FIELDS

AUDIT_TABLES = ("sys_audit", "sys_audit_delete")
AUDIT_TIME_FIELD = "sys_created_on"


class IncidentSource(dg.ConfigurableResource, ABC):
    """Pulls, page by page and as received, the incidents updated in a time window (their
    current state) and the audit trail written in it (field changes, then deletions)."""

    pull: SourceSettings = SourceSettings()

    @property
    def mapping(self) -> str:
        return self.pull.mapping

    @property
    @abstractmethod
    def url(self) -> str:
        """The instance URL, without credentials."""

    @abstractmethod
    def _auth(self) -> httpx.Auth | None: ...

    def _client(self, table: str, **query: Any) -> ServiceNowTableClient:
        return ServiceNowTableClient(
            self.url,
            auth=self._auth(),
            table=table,
            page_size=self.pull.page_size,
            timeout_seconds=self.pull.timeout_seconds,
            max_attempts=self.pull.max_attempts,
            backoff_initial_seconds=self.pull.backoff_initial_seconds,
            backoff_max_seconds=self.pull.backoff_max_seconds,
            **query,
        )

    def pull_window(self, start: datetime, end: datetime) -> Iterator[PulledPage]:
        fields = requested_fields(self.mapping) if self.pull.request_mapped_fields_only else ()
        with self._client(self.pull.table, fields=fields) as client:
            yield from client.pull_window(start, end)

    def pull_audit_window(self, start: datetime, end: datetime) -> Iterator[PulledPage]:
        """The incident table's audit trail created in [start, end); see `pull_audit_pages`."""
        yield from pull_audit_pages(self._client, self.pull.table, start, end)


def requested_fields(mapping: str) -> tuple[str, ...]:
    """The incident fields `mapping` reads, declared extra fields included: all silver needs.

    Asking for these alone (sysparm_fields) spares a live instance's hundred-odd other fields
    on every record, and the time to send, store and parse them.
    """
    from incident_intel.silver.mapping import load_schema_mapping

    return tuple(sorted(load_schema_mapping().source(mapping).source_fields))


def pull_audit_pages(
    client_for: Callable[..., ServiceNowTableClient],
    incident_table: str,
    start: datetime,
    end: datetime,
) -> Iterator[PulledPage]:
    """`incident_table`'s sys_audit rows, then its sys_audit_delete rows, created in
    [start, end); page numbers run on across both. Raises SourceForbiddenError on a 403.

    `client_for(table, **query)` opens a client on one table with the given query options.
    """
    number = 0
    for table in AUDIT_TABLES:
        with client_for(
            table,
            time_field=AUDIT_TIME_FIELD,
            condition=f"tablename={incident_table}",
            display_value="false",
            fields=AUDIT_FIELDS,
        ) as client:
            for page in client.pull_window(start, end):
                number += 1
                yield dataclasses.replace(page, number=number)


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
    """The built-in simulator, started on loopback for the duration of a step."""

    simulator: SimulatorSection = SimulatorSection()

    _server: Any = PrivateAttr(default=None)

    def _ensure_server(self) -> None:
        """Start on first use, so that steps which only read the mapping start no server."""
        if self._server is None:
            from incident_intel.simulator.server import SimulatorServer
            from incident_intel.simulator.settings import SimulatorSettings

            # Any free port: the section's port is for a simulator served on its own.
            settings = dataclasses.replace(SimulatorSettings.from_section(self.simulator), port=0)
            self._server = SimulatorServer(self._store(), settings)
            self._server.start()

    def pull_window(self, start: datetime, end: datetime) -> Iterator[PulledPage]:
        """The window's pages over HTTP, then a last page of the rows no window can serve."""
        last = 0
        for page in super().pull_window(start, end):
            last = page.number
            yield page
        unservable = self._server.store.unservable_between(start, end)
        if unservable:
            yield _unservable_page(last + 1, unservable)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def _store(self):
        from incident_intel.simulator.replay import ReplayIncidentStore
        from incident_intel.simulator.synthetic import SyntheticIncidentStore

        if self.simulator.mode == "replay":
            return ReplayIncidentStore(self.simulator.replay_csv)
        return SyntheticIncidentStore(
            seed=self.simulator.seed,
            incidents_per_day=self.simulator.incidents_per_day,
            start_date=date.fromisoformat(self.simulator.start_date),
        )

    @property
    def url(self) -> str:
        self._ensure_server()
        return self._server.url

    def _auth(self) -> httpx.Auth | None:
        if self.simulator.username is None:
            return None
        return httpx.BasicAuth(self.simulator.username, self.simulator.password or "")


def _unservable_page(number: int, versions: list[dict[str, Any]]) -> PulledPage:
    """Rows the simulator holds but cannot serve, as the Table API would render them."""
    from incident_intel.simulator.render import api_fields, record_renderer

    render = record_renderer(list(api_fields().values()), "all", "", True)
    records = [render(v) for v in versions]
    return PulledPage(
        number=number,
        query="replay: rows whose sys_updated_on does not parse, on the day they were opened",
        status=200,
        body=json.dumps({"result": records}).encode(),
        records=records,
    )


def build_incident_source(settings: ProjectSettings) -> IncidentSource:
    """The source the environment names, credentials only ever going to their own instance.

    SERVICENOW_INSTANCE_URL: a live instance, with SERVICENOW_TOKEN or SERVICENOW_USERNAME and
    SERVICENOW_PASSWORD (no defaults). INCIDENT_INTEL_SIMULATOR_URL: a simulator served apart
    (the docker-compose service), with the simulator's credentials from the settings. Neither:
    the embedded simulator, started on loopback.
    """
    if os.environ.get("SERVICENOW_INSTANCE_URL"):
        credentials: dict[str, Any] = {}
        if os.environ.get("SERVICENOW_TOKEN"):
            credentials["token"] = dg.EnvVar("SERVICENOW_TOKEN")
        else:
            credentials["username"] = dg.EnvVar("SERVICENOW_USERNAME")
            credentials["password"] = dg.EnvVar("SERVICENOW_PASSWORD")
        return ServiceNowIncidentSource(
            instance_url=dg.EnvVar("SERVICENOW_INSTANCE_URL"), pull=settings.source, **credentials
        )
    if os.environ.get("INCIDENT_INTEL_SIMULATOR_URL"):
        return ServiceNowIncidentSource(
            instance_url=dg.EnvVar("INCIDENT_INTEL_SIMULATOR_URL"),
            username=settings.simulator.username,
            password=settings.simulator.password,
            pull=settings.source,
        )
    return SimulatedIncidentSource(pull=settings.source, simulator=settings.simulator)
