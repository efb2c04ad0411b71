"""The tables the simulator serves: each one's fields, time field and rows.

`incident` renders canonical versions through the API mapping. The audit tables hold plain
strings, shown alike whatever sysparm_display_value asks, and need a role that some credentials
lack (`SimulatorSettings.audit_forbidden_users`), as on a real instance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from incident_intel.simulator.audit import AUDIT_COLUMNS, DELETE_COLUMNS
from incident_intel.simulator.canonical import Version
from incident_intel.simulator.query import UPDATED_ON
from incident_intel.simulator.render import ApiField, api_fields
from incident_intel.simulator.store import IncidentStore

CREATED_ON = "sys_created_on"
_PLAIN_TYPES = {CREATED_ON: "datetime", "record_checkpoint": "int"}


@dataclass(frozen=True)
class Table:
    name: str
    fields: dict[str, ApiField]
    # Rows are sorted by (time_field, sys_id), and windows on it bound what is fetched.
    time_field: str
    rows_between: Callable[[IncidentStore, datetime, datetime], list[Version]]
    needs_audit_role: bool = False
    # Other users update incidents while a client pages; nobody edits the audit trail.
    updated_while_paging: bool = False

    @property
    def path(self) -> str:
        return f"/api/now/table/{self.name}"

    def key(self, row: Version) -> tuple[str, str]:
        return row[self.time_field] or "", row["sys_id"] or ""


def _plain_fields(names: tuple[str, ...]) -> dict[str, ApiField]:
    return {n: ApiField(n, n, _PLAIN_TYPES.get(n, "string"), {}, {}, None) for n in names}


@cache
def tables() -> dict[str, Table]:
    """Table name -> the table."""
    served = (
        Table(
            "incident",
            api_fields(),
            UPDATED_ON,
            lambda store, start, end: store.current_between(start, end),
            updated_while_paging=True,
        ),
        Table(
            "sys_audit",
            _plain_fields(AUDIT_COLUMNS),
            CREATED_ON,
            lambda store, start, end: store.audit_between(start, end),
            needs_audit_role=True,
        ),
        Table(
            "sys_audit_delete",
            _plain_fields(DELETE_COLUMNS),
            CREATED_ON,
            lambda store, start, end: store.deletions_between(start, end),
            needs_audit_role=True,
        ),
    )
    return {t.name: t for t in served}
