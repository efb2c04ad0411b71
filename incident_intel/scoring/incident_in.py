"""A new incident as a client sends it: in canonical names, or as a source's record.

Canonical input is validated field by field, so a bad value is named in the error. A source's
record (a ServiceNow Table API record, plain or with display values) is read through the
schema mapping exactly as silver reads a pulled page, then validated the same way.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field

from incident_intel.silver.cast import cast_canonical
from incident_intel.silver.extract import extract_strings, flatten_api_record
from incident_intel.silver.mapping import DISPLAY_SUFFIX, EXTRA_PREFIX, SourceMapping

TEXT_LIMIT = 20_000
# Far above any real incident's count, and far inside the 64-bit integers the features hold:
# a larger number is a client's error, not an incident.
MAX_COUNT = 10_000
Name = Annotated[str, Field(max_length=255)]
Text = Annotated[str, Field(max_length=TEXT_LIMIT)]
ExtraValue = str | float | bool | None
# A new incident has no number, state or update time yet; silver requires them of a record.
FILLED_FOR_NEW = ("sys_id", "number", "state", "opened_at", "sys_updated_on")
# References whose display name gold and the models use (the audit trail holds sys_ids).
NAMED_REFERENCES = ("assignment_group", "location", "cmdb_ci")


class IncidentIn(BaseModel):
    """One incident to score, in canonical field names; every field may be left out."""

    model_config = ConfigDict(extra="forbid")

    sys_id: Name | None = Field(None, description="Its id, echoed back; one is made if absent.")
    number: Name | None = None
    opened_at: datetime | None = Field(
        None, description="When it was opened (UTC if no offset); the request's time if absent."
    )
    priority: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=3)
    urgency: int | None = Field(None, ge=1, le=3)
    category: Name | None = None
    subcategory: Name | None = None
    assignment_group: Name | None = Field(None, description="The group's name.")
    contact_type: Name | None = None
    location: Name | None = None
    cmdb_ci: Name | None = None
    caller: Name | None = None
    short_description: Text | None = None
    description: Text | None = None
    reassignment_count: int | None = Field(None, ge=0, le=MAX_COUNT)
    reopen_count: int | None = Field(None, ge=0, le=MAX_COUNT)
    extra: dict[Name, ExtraValue] = Field(
        default_factory=dict,
        description="The source's extra fields declared in the schema mapping, by name.",
    )

    def with_defaults(self, received_at: datetime) -> IncidentIn:
        """A copy with an id and an opening time, which scoring needs."""
        return self.model_copy(
            update={
                "sys_id": self.sys_id or uuid.uuid4().hex,
                "opened_at": self.opened_at or received_at,
            }
        )


class SourceRecordError(ValueError):
    """A source record that the schema mapping cannot read; the message names the fields."""


def _ignorable(problem: str) -> bool:
    return any(problem == f"{name}: missing" for name in FILLED_FOR_NEW)


def from_source_record(record: dict[str, Any], source: SourceMapping) -> IncidentIn:
    """A source's record (e.g. a Table API record) as a canonical incident."""
    flat = flatten_api_record(record, source.source_fields)
    columns = sorted(source.source_fields | {f + DISPLAY_SUFFIX for f in source.source_fields})
    strings = pl.DataFrame([flat], schema=dict.fromkeys(columns, pl.String))
    typed, reason = cast_canonical(extract_strings(strings, source), source)
    problems = [p for p in (reason[0] or "").split("; ") if p and not _ignorable(p)]
    if problems:
        raise SourceRecordError("; ".join(problems))
    row = typed.row(0, named=True)
    values = {name: row.get(name) for name in IncidentIn.model_fields if name in row}
    for reference in NAMED_REFERENCES:
        values[reference] = row.get(reference + DISPLAY_SUFFIX) or row.get(reference)
    values["extra"] = {
        name.removeprefix(EXTRA_PREFIX): row.get(name + DISPLAY_SUFFIX) or value
        for name, value in row.items()
        if name.startswith(EXTRA_PREFIX) and not name.endswith(DISPLAY_SUFFIX)
    }
    return IncidentIn.model_validate(
        {k: v for k, v in values.items() if k not in ("state", "sys_updated_on")}
    )
