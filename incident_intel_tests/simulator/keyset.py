"""A minimal keyset-paging reader of the simulator, as the real client pages (tests only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Paging:
    """How a table is pulled: its time field, and terms ANDed into every branch of the query."""

    table: str
    time_field: str
    prefix: str = ""

    @property
    def order(self) -> str:
        return f"^ORDERBY{self.time_field}^ORDERBYsys_id"


INCIDENT = Paging("incident", "sys_updated_on")
AUDIT = Paging("sys_audit", "sys_created_on", "tablename=incident^")
DELETIONS = Paging("sys_audit_delete", "sys_created_on", "tablename=incident^")


def value(record: dict[str, Any], name: str) -> str:
    raw = record[name]
    return raw["value"] if isinstance(raw, dict) else raw


def key(record: dict[str, Any], time_field: str = INCIDENT.time_field) -> tuple[str, str]:
    return value(record, time_field), value(record, "sys_id")


def window_query(
    start: datetime,
    end: datetime,
    after: tuple[str, str] | None = None,
    paging: Paging = INCIDENT,
) -> str:
    time = paging.time_field
    window = f"{paging.prefix}{time}>={start.strftime(FORMAT)}^{time}<{end.strftime(FORMAT)}"
    if after is None:
        return window + paging.order
    moment, sys_id = after
    return f"{window}^{time}>{moment}^NQ{window}^{time}={moment}^sys_id>{sys_id}{paging.order}"


@dataclass
class Pull:
    time_field: str
    pages: list[list[dict[str, Any]]] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [r for page in self.pages for r in page]

    @property
    def keys(self) -> list[tuple[str, str]]:
        """Distinct keys, in the order first seen."""
        return list(dict.fromkeys(key(r, self.time_field) for r in self.rows))


def pull(
    client: httpx.Client,
    start: datetime,
    end: datetime,
    *,
    paging: Paging = INCIDENT,
    limit: int = 100,
    display: str = "false",
    max_pages: int = 1000,
) -> Pull:
    """Pull [start, end) by keyset; only an empty page ends it, as on a real instance."""
    result = Pull(paging.time_field)
    after: tuple[str, str] | None = None
    for _ in range(max_pages):
        response = client.get(
            f"/api/now/table/{paging.table}",
            params={
                "sysparm_query": window_query(start, end, after, paging),
                "sysparm_limit": limit,
                "sysparm_display_value": display,
            },
        )
        response.raise_for_status()
        page = response.json()["result"]
        if not page:
            return result
        result.pages.append(page)
        result.responses.append(response)
        after = max(after or ("", ""), key(page[-1], paging.time_field))
    raise AssertionError(f"no empty page after {max_pages} pages")
