"""A small, real fake of the Table API's keyset queries, served through httpx.MockTransport."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import httpx

AFTER = re.compile(r"sys_updated_on>(?P<ts>[^\^]+)\^NQ.*sys_id>(?P<id>[^\^]+)")
WINDOW = re.compile(r"sys_updated_on>=(?P<start>[^\^]+)\^sys_updated_on<(?P<end>[^\^]+)")


def record(sys_id: str, updated: str, **fields: str) -> dict:
    base = {
        "sys_id": {"value": sys_id, "display_value": sys_id},
        "number": {"value": f"INC{sys_id}", "display_value": f"INC{sys_id}"},
        "state": {"value": "2", "display_value": "In Progress"},
        "opened_at": {"value": "2026-01-05 00:00:00", "display_value": "2026-01-05 00:00:00"},
        "sys_updated_on": {"value": updated, "display_value": updated},
        "priority": {"value": "3", "display_value": "3 - Moderate"},
    }
    base.update({k: {"value": v, "display_value": v} for k, v in fields.items()})
    return base


def _key(r: dict) -> tuple[str, str]:
    return r["sys_updated_on"]["value"], r["sys_id"]["value"]


class FakeTableApi:
    """Serves `rows` in key order; `script` may replace the answer to the n-th request."""

    def __init__(
        self,
        rows: list[dict],
        script: dict[int, Callable[[httpx.Request], httpx.Response]] | None = None,
        page_cap: int | None = None,
    ) -> None:
        self.rows = sorted(rows, key=_key)
        self.script = script or {}
        self.page_cap = page_cap
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        scripted = self.script.get(len(self.requests))
        if scripted is not None:
            return scripted(request)
        query = request.url.params["sysparm_query"]
        limit = int(request.url.params["sysparm_limit"])
        window = WINDOW.search(query)
        selected = [r for r in self.rows if window["start"] <= _key(r)[0] < window["end"]]
        after = AFTER.search(query)
        if after:
            selected = [r for r in selected if _key(r) > (after["ts"], after["id"])]
        page = selected[: min(limit, self.page_cap or limit)]
        return httpx.Response(200, content=json.dumps({"result": page}).encode())

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)
