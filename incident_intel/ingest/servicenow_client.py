"""A ServiceNow Table API client that pulls one time window of a table by keyset paging.

Keyset paging on (time field, sys_id), `sys_updated_on` for `incident` and `sys_created_on` for
`sys_audit`, instead of sysparm_offset means a record updated during a pull shifts no page
boundary, so nothing is skipped or read twice. A short page is not the end either: ServiceNow
applies the page limit before ACL filtering, so only an empty page is.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourcePullError(RuntimeError):
    """The pull failed for good: the message names the URL, the window and the last status."""


class SourceForbiddenError(SourcePullError):
    """The credential may not read the table (HTTP 403), as sys_audit often is without admin."""


class RetryableResponseError(Exception):
    def __init__(self, description: str, status: int | None, retry_after: float | None = None):
        super().__init__(description)
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True)
class PulledPage:
    """One page exactly as received, with the query that produced it."""

    number: int
    query: str
    status: int
    body: bytes
    records: list[dict[str, Any]]
    table: str = "incident"


def redact_url(url: str) -> str:
    """The URL without any user:password part, safe to log."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _field_value(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if isinstance(value, dict):
        value = value.get("value")
    if not value:
        raise SourcePullError(f"record without {name}: cannot continue keyset paging")
    return str(value)


def window_query(
    start: datetime,
    end: datetime,
    after: tuple[str, str] | None = None,
    time_field: str = "sys_updated_on",
    condition: str = "",
) -> str:
    """The encoded query for [start, end), resuming after the (time_field, sys_id) key.

    `condition` (say `tablename=incident`) is repeated in every OR-ed branch, since `^NQ`
    starts a query of its own.
    """
    prefix = f"{condition}^" if condition else ""
    window = (
        f"{prefix}{time_field}>={start.strftime(TIMESTAMP_FORMAT)}"
        f"^{time_field}<{end.strftime(TIMESTAMP_FORMAT)}"
    )
    order = f"^ORDERBY{time_field}^ORDERBYsys_id"
    if after is None:
        return window + order
    moment, sys_id = after
    return f"{window}^{time_field}>{moment}^NQ{window}^{time_field}={moment}^sys_id>{sys_id}{order}"


def _retry_after_seconds(response: httpx.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if header is None:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return None


class ServiceNowTableClient:
    """Pulls a table window page by page, retrying transient failures with backoff and jitter."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        table: str = "incident",
        time_field: str = "sys_updated_on",
        condition: str = "",
        display_value: str = "all",
        fields: Iterable[str] = (),
        page_size: int = 1000,
        timeout_seconds: float = 30.0,
        max_attempts: int = 6,
        backoff_initial_seconds: float = 0.5,
        backoff_max_seconds: float = 30.0,
        jitter_seed: int | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        parts = urlsplit(base_url)
        if parts.username and auth is None:
            auth = httpx.BasicAuth(unquote(parts.username), unquote(parts.password or ""))
        # Credentials never stay in the URL, where logs and error messages would show them.
        self.base_url = redact_url(base_url).rstrip("/")
        self.table = table
        self.time_field = time_field
        self.condition = condition
        self.display_value = display_value
        # Keyset paging reads the time field and sys_id of each page's last record.
        self.fields = sorted({*fields, time_field, "sys_id"}) if fields else []
        self.page_size = page_size
        self.max_attempts = max_attempts
        self.backoff_initial_seconds = backoff_initial_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self._jitter = random.Random(jitter_seed)
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            timeout=timeout_seconds,
            transport=transport,
            headers={"Accept": "application/json"},
        )

    @property
    def table_url(self) -> str:
        return redact_url(f"{self.base_url}/api/now/table/{self.table}")

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ServiceNowTableClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pull_window(self, start: datetime, end: datetime) -> Iterator[PulledPage]:
        """Yield the pages of every record with start <= time field < end, in key order."""
        after: tuple[str, str] | None = None
        number = 0
        while True:
            query = window_query(start, end, after, self.time_field, self.condition)
            page = self._fetch_with_retries(query, number + 1, start, end)
            if not page.records:
                return
            number += 1
            yield page
            last = page.records[-1]
            key = (_field_value(last, self.time_field), _field_value(last, "sys_id"))
            if after is not None and key <= after:
                raise SourcePullError(
                    f"{self.table_url} did not advance past {after} for window "
                    f"[{start}, {end}): the server ignores the keyset condition"
                )
            after = key

    def _wait_seconds(self, state: RetryCallState) -> float:
        exponential = min(
            self.backoff_max_seconds,
            self.backoff_initial_seconds * 2 ** (state.attempt_number - 1),
        )
        wait = self._jitter.uniform(0, exponential)
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, RetryableResponseError) and error.retry_after is not None:
            wait = max(wait, error.retry_after)
        return wait

    def _fetch_with_retries(
        self, query: str, number: int, start: datetime, end: datetime
    ) -> PulledPage:
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait_seconds,
            retry=retry_if_exception_type((RetryableResponseError, httpx.TransportError)),
            sleep=self._sleep,
            reraise=False,
        )
        try:
            return retrying(self._fetch_once, query, number)
        except RetryError as exhausted:
            error = exhausted.last_attempt.exception()
            status = getattr(error, "status", None)
            raise SourcePullError(
                f"Pull of {self.table_url} for window [{start:%Y-%m-%d %H:%M:%S}, "
                f"{end:%Y-%m-%d %H:%M:%S}) failed after {self.max_attempts} attempts; "
                f"last status: {status if status is not None else 'no response'}; "
                f"last error: {type(error).__name__}: {error}"
            ) from error

    def _fetch_once(self, query: str, number: int) -> PulledPage:
        params = {
            "sysparm_query": query,
            "sysparm_limit": str(self.page_size),
            "sysparm_display_value": self.display_value,
            "sysparm_exclude_reference_link": "true",
        }
        if self.fields:
            params["sysparm_fields"] = ",".join(self.fields)
        response = self._http.get(f"/api/now/table/{self.table}", params=params)
        if response.status_code in RETRYABLE_STATUSES:
            raise RetryableResponseError(
                f"HTTP {response.status_code}", response.status_code, _retry_after_seconds(response)
            )
        if response.status_code == 403:
            raise SourceForbiddenError(
                f"{self.table_url} answered HTTP 403: this credential may not read "
                f"{self.table} (on ServiceNow, reading sys_audit needs the admin role or an "
                "ACL granting it)"
            )
        if response.status_code != 200:
            raise SourcePullError(
                f"{self.table_url} answered HTTP {response.status_code} "
                f"(not retried): {response.text[:200]}"
            )
        body = response.content
        try:
            payload = json.loads(body)
            records = payload["result"]
            if not isinstance(records, list):
                raise TypeError("'result' is not a list")
        except (ValueError, KeyError, TypeError) as broken:
            raise RetryableResponseError(
                f"broken body ({len(body)} bytes): {broken}", response.status_code
            ) from broken
        return PulledPage(
            number=number,
            query=query,
            status=response.status_code,
            body=body,
            records=records,
            table=self.table,
        )
