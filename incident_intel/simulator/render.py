"""Canonical version strings -> Table API JSON records, driven by the API mapping reversed.

The `servicenow_table_api` mapping says how the API's fields become canonical ones; rendering
walks it backwards (canonical name -> API field, canonical choice -> API value). Unknown choice
values pass through verbatim, as ServiceNow shows a value missing from the choice list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from incident_intel.silver.mapping import DISPLAY_SUFFIX, SourceMapping
from incident_intel.simulator.canonical import Version, api_mapping

DISPLAY_MODES = ("false", "true", "all")
SEVERITY_LABELS = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
DISPLAY_LABELS = {
    "priority": {
        "1": "1 - Critical",
        "2": "2 - High",
        "3": "3 - Moderate",
        "4": "4 - Low",
        "5": "5 - Planning",
    },
    "impact": SEVERITY_LABELS,
    "urgency": SEVERITY_LABELS,
}
# The table each reference field of `incident` points to, by API field; the link of a
# reference the simulator does not know names a table after its field.
REFERENCE_TABLES = {
    "assignment_group": "sys_user_group",
    "assigned_to": "sys_user",
    "caller_id": "sys_user",
    "opened_by": "sys_user",
    "location": "cmn_location",
    "cmdb_ci": "cmdb_ci",
}

Renderer = Callable[[Version], Any]


@dataclass(frozen=True)
class ApiField:
    """How one API field is read from a canonical version."""

    name: str
    canonical: str
    type: str
    to_api: dict[str, str]
    labels: dict[str, str]
    table: str | None

    def value(self, version: Version) -> str:
        """The field's API value, as `sysparm_display_value=false` shows it."""
        raw = version[self.canonical]
        if raw is None:
            return ""
        return self.to_api.get(raw, raw)

    @property
    def plain(self) -> bool:
        """Whether the API shows the stored string itself, as value and as display value."""
        return not (self.to_api or self.labels or self.table)

    def reader(self) -> Callable[[Version], str]:
        """`value` as a function, a cheaper one for a field without choices to translate.

        Serving and filtering a large table read every field of every row.
        """
        if self.to_api:
            return self.value
        canonical = self.canonical
        return lambda version: version[canonical] or ""

    def display(self, version: Version) -> str:
        if self.table:
            return version[self.canonical + DISPLAY_SUFFIX] or ""
        raw = version[self.canonical]
        if raw is None:
            return ""
        return self.labels.get(self.to_api.get(raw, raw), raw)


def api_fields(mapping: SourceMapping | None = None) -> dict[str, ApiField]:
    """API field name -> how to read it, in canonical order, then the extra fields."""
    mapping = mapping or api_mapping()
    types = {f.name: f.type for f in mapping.fields}
    fields = {}
    for rule in mapping.rules:
        fields[rule.source_field] = ApiField(
            name=rule.source_field,
            canonical=rule.canonical,
            type=types[rule.canonical],
            to_api={canonical: api for api, canonical in (rule.choices or {}).items()},
            labels=DISPLAY_LABELS.get(rule.canonical, {}),
            table=REFERENCE_TABLES.get(rule.source_field, rule.source_field)
            if rule.reference
            else None,
        )
    return fields


def _reference_renderer(field: ApiField, mode: str, link_base: str | None) -> Renderer:
    value, display = field.value, field.display
    prefix = f"{link_base}/api/now/table/{field.table}/" if link_base is not None else None
    if mode == "all":

        def render_all(v: Version) -> Any:
            key = value(v)
            if not key:
                return {"display_value": "", "value": ""}
            if prefix is None:
                return {"display_value": display(v), "value": key}
            return {"display_value": display(v), "link": prefix + key, "value": key}

        return render_all
    if prefix is None:
        return display if mode == "true" else value
    shown_key = "display_value" if mode == "true" else "value"
    shown = display if mode == "true" else value

    def render_one(v: Version) -> Any:
        key = value(v)
        return {shown_key: shown(v), "link": prefix + key} if key else ""

    return render_one


def _renderer(field: ApiField, mode: str, link_base: str | None) -> Renderer:
    if field.table:
        return _reference_renderer(field, mode, link_base)
    value = field.reader()
    if field.plain:
        if mode == "all":
            return lambda v: {"display_value": (shown := value(v)), "value": shown}
        return value
    display = field.display
    if mode == "all":
        return lambda v: {"display_value": display(v), "value": value(v)}
    return display if mode == "true" else value


def record_renderer(
    fields: list[ApiField], mode: str, base_url: str, exclude_reference_link: bool
) -> Callable[[Version], dict[str, Any]]:
    """A function rendering one version as a Table API record for `sysparm_display_value=mode`."""
    link_base = None if exclude_reference_link else base_url.rstrip("/")
    renderers = [(f.name, _renderer(f, mode, link_base)) for f in fields]
    return lambda v: {name: render(v) for name, render in renderers}
