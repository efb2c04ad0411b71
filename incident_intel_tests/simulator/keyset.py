"""A minimal keyset-paging reader of the simulator, as the real client pages (tests only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

FORMAT = "%Y-%m-%d %H:%M:%S"
ORDER = "^ORDERBYsys_updated_on^ORDERBYsys_id"


def value(record: dict[str, Any], name: str) -> str:
    raw = record[name]
    return raw["value"] if isinstance(raw, dict) else raw


def key(record: dict[str, Any]) -> tuple[str, str]:
    return value(record, "sys_updated_on"), value(record, "sys_id")


def window_query(start: datetime, end: datetime, after: tuple[str, str] | None = None) -> str:
    window = f"sys_updated_on>={start.strftime(FORMAT)}^sys_updated_on<{end.strftime(FORMAT)}"
    if after is None:
        return window + ORDER
    updated, sys_id = after
    return (
        f"{window}^sys_updated_on>{updated}"
        f"^NQ{window}^sys_updated_on={updated}^sys_id>{sys_id}{ORDER}"
    )


@dataclass
class Pull:
    pages: list[list[dict[str, Any]]] = field(default_factory=list)
    responses: list[httpx.Response] = field(default_factory=list)

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [r for page in self.pages for r in page]

    @property
    def keys(self) -> list[tuple[str, str]]:
        """Distinct keys, in the order first seen."""
        return list(dict.fromkeys(key(r) for r in self.rows))


def pull(
    client: httpx.Client,
    start: datetime,
    end: datetime,
    *,
    limit: int = 100,
    display: str = "false",
    max_pages: int = 1000,
) -> Pull:
    """Pull [start, end) by keyset; only an empty page ends it, as on a real instance."""
    result = Pull()
    after: tuple[str, str] | None = None
    for _ in range(max_pages):
        response = client.get(
            "/api/now/table/incident",
            params={
                "sysparm_query": window_query(start, end, after),
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
        after = max(after or ("", ""), key(page[-1]))
    raise AssertionError(f"no empty page after {max_pages} pages")
