"""The simulator's HTTP face: ServiceNow's `GET /api/now/table/{table}` over FastAPI.

Responses are serialised by hand into bytes: FastAPI's response validation and encoding would
cost more than the rest of a 1000-row page.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams

from incident_intel.simulator.auth import authenticated_user
from incident_intel.simulator.faults import FaultInjector, TokenBucket
from incident_intel.simulator.query import QueryError
from incident_intel.simulator.render import record_renderer
from incident_intel.simulator.settings import SimulatorSettings
from incident_intel.simulator.store import IncidentStore
from incident_intel.simulator.table import parse_request, select
from incident_intel.simulator.tables import Table, tables

ERROR_MESSAGES = {
    400: "Invalid query",
    401: "User Not Authenticated",
    403: "User Not Authorized",
    429: "Rate limit exceeded",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _json(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def error_response(
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    message: str | None = None,
) -> Response:
    """An error in ServiceNow's shape: {"error": {"message", "detail"}, "status": "failure"}."""
    error = {"message": message or ERROR_MESSAGES[status], "detail": detail}
    body = {"error": error, "status": "failure"}
    return Response(_json(body), status, headers, media_type="application/json")


# Request parameters a link repeats beside the paging ones, as ServiceNow's links do.
LINKED_PARAMETERS = (
    "sysparm_query",
    "sysparm_fields",
    "sysparm_display_value",
    "sysparm_exclude_reference_link",
)
# Past this, a link names the paging parameters only: four copies of a longer query would
# make a header bigger than HTTP clients accept.
MAX_LINKED_QUERY = 2000


def link_header(
    base_url: str,
    path: str,
    offset: int,
    limit: int,
    total: int,
    params: QueryParams | None = None,
) -> str:
    """ServiceNow's Link header: first, prev, next and last pages by sysparm_offset.

    Each link repeats the request's query, fields and display options, so that a client
    following `rel="next"` pages the same query.
    """
    kept = {k: params[k] for k in LINKED_PARAMETERS if params is not None and k in params}
    if len(kept.get("sysparm_query", "")) > MAX_LINKED_QUERY:
        kept = {}
    pages = {"first": 0}
    if offset > 0:
        pages["prev"] = max(0, offset - limit)
    if offset + limit < total:
        pages["next"] = offset + limit
    pages["last"] = max(0, (total - 1) // limit * limit)
    return ",".join(
        f"<{base_url}{path}?"
        f"{urlencode({**kept, 'sysparm_offset': value, 'sysparm_limit': limit})}>"
        f';rel="{rel}"'
        for rel, value in pages.items()
    )


def create_app(store: IncidentStore, settings: SimulatorSettings, base_url: str) -> FastAPI:
    """The Table API over `store`; every link served starts with `base_url`."""
    # No trailing-slash redirects: Starlette builds them from the request's Host header.
    app = FastAPI(
        title="ServiceNow Table API simulator",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        redirect_slashes=False,
    )
    served = tables()
    faults = FaultInjector(settings.faults)
    bucket = (
        TokenBucket(settings.rate_limit_per_second, settings.rate_limit_burst)
        if settings.rate_limit_per_second
        else None
    )

    @app.get("/health")
    async def health() -> Response:
        return Response(_json({"status": "ok"}), media_type="application/json")

    def table_page(table: Table, params: QueryParams) -> Response:
        """A page of the table for these parameters: parsing, evaluation and rendering."""
        try:
            table_request = parse_request(params, table.fields, settings.max_page_size)
        except QueryError as error:
            return error_response(400, str(error))
        selection = select(store, table, table_request)
        offset, limit = table_request.offset, table_request.limit
        total = len(selection.rows)
        stream = (
            table.name,
            selection.window_end,
            table_request.display,
            table_request.exclude_reference_link,
            tuple(f.name for f in table_request.fields),
        )
        rows = selection.rows[offset : offset + limit]
        page = faults.page(rows, stream, limit, offset + limit < total, table.key)
        render = record_renderer(
            table_request.fields,
            table_request.display,
            base_url,
            table_request.exclude_reference_link,
        )
        body = faults.truncated(_json({"result": [render(v) for v in page]}))
        if table.updated_while_paging:
            faults.concurrent_update(store, page, selection.window_end)
        headers = {
            "X-Total-Count": str(total),
            "Link": link_header(base_url, table.path, offset, limit, total, params),
        }
        return Response(body, 200, headers, media_type="application/json")

    @app.get("/api/now/table/{name}")
    async def table_rows(name: str, request: Request) -> Response:
        user = authenticated_user(request.headers.get("authorization"), settings)
        if user is None:
            return error_response(
                401,
                "Required to provide Auth information",
                {"WWW-Authenticate": 'Basic realm="Service-now"'},
            )
        wait = bucket.take() if bucket else 0
        if wait:
            return error_response(429, "Too many requests", {"Retry-After": str(wait)})
        if faults.delayed():
            await asyncio.sleep(settings.faults.latency_ms / 1000)
        status = faults.error_status()
        if status:
            return error_response(status, "Injected fault")
        table = served.get(name)
        if table is None:
            detail = f"The simulator serves the tables {', '.join(served)}"
            return error_response(400, detail, message=f"Invalid table {name}")
        if table.needs_audit_role and not settings.may_read_audit(user):
            detail = f"Reading {name} needs a role this user lacks"
            return error_response(403, detail)
        # A query can take seconds to evaluate: in a worker thread it holds up no other request,
        # which is why the store, the fault injector and the rate limiter lock their state.
        return await run_in_threadpool(table_page, table, request.query_params)

    return app
