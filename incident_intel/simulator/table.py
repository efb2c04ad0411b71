"""The Table API's read semantics, without HTTP: request parameters -> matching rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from incident_intel.simulator.canonical import Version, parse_timestamp
from incident_intel.simulator.keyrange import select_key_ranges
from incident_intel.simulator.query import (
    EncodedQuery,
    QueryError,
    order,
    parse_query,
    predicate,
    updated_range,
)
from incident_intel.simulator.render import DISPLAY_MODES, ApiField
from incident_intel.simulator.store import IncidentStore

# Later than any served version; the store caps windows at its clock anyway.
END_OF_TIME = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class TableRequest:
    query: EncodedQuery
    limit: int
    offset: int
    fields: list[ApiField]
    display: str
    exclude_reference_link: bool


@dataclass(frozen=True)
class Selection:
    rows: list[Version]  # every matching row, in the query's order
    window_end: str | None  # the exclusive sys_updated_on bound the query implies


def _integer(params: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise QueryError(f"{name} must be an integer, got '{raw}'") from None
    if value < minimum:
        raise QueryError(f"{name} must be at least {minimum}, got {value}")
    return value


def _choice(params: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = (params.get(name) or allowed[0]).lower()
    if value not in allowed:
        raise QueryError(f"{name} must be one of {', '.join(allowed)}, got '{value}'")
    return value


def parse_request(
    params: Mapping[str, str], fields: dict[str, ApiField], max_page_size: int
) -> TableRequest:
    """Read the sysparm_* parameters; raises QueryError for values ServiceNow would refuse."""
    wanted = [f.strip() for f in (params.get("sysparm_fields") or "").split(",") if f.strip()]
    # Like ServiceNow, unknown names in sysparm_fields are ignored rather than refused.
    selected = [fields[f] for f in wanted if f in fields] if wanted else list(fields.values())
    return TableRequest(
        query=parse_query(params.get("sysparm_query") or "", fields),
        limit=min(_integer(params, "sysparm_limit", max_page_size, 1), max_page_size),
        offset=_integer(params, "sysparm_offset", 0, 0),
        fields=selected,
        display=_choice(params, "sysparm_display_value", DISPLAY_MODES),
        exclude_reference_link=_choice(params, "sysparm_exclude_reference_link", ("false", "true"))
        == "true",
    )


def select(store: IncidentStore, request: TableRequest, fields: dict[str, ApiField]) -> Selection:
    """Every visible version matching the query, fetching only the sys_updated_on range needed."""
    low, high = updated_range(request.query)
    start = parse_timestamp(low) if low else store.earliest()
    end = parse_timestamp(high) if high else END_OF_TIME
    candidates = store.versions_between(start, end)
    rows = select_key_ranges(candidates, request.query)
    if rows is None:
        matches = predicate(request.query, fields)
        rows = order([v for v in candidates if matches(v)], request.query, fields)
    return Selection(rows, high)
