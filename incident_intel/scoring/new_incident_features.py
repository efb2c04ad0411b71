"""Gold's features for incidents that are not in the lake yet: new ones sent to the API.

They are computed as gold computes them at creation (see gold/features.py): the fields as
sent, the opening time on the team's clock, and the load around it, the group's backlog and
the arrivals of the hour before, from what the lake knew when the API last looked plus the
other incidents of the same request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from incident_intel.gold.features import CATEGORICAL_FEATURES, NUMERIC_FEATURES
from incident_intel.gold.scrubbing import scrub
from incident_intel.scoring.incident_in import IncidentIn
from incident_intel.settings import FeatureSettings
from incident_intel.silver.mapping import ExtraField

# Gold casts these integer levels to strings, as categoricals.
LEVELS = ("priority", "impact", "urgency")
FIELDS = tuple(name for name in CATEGORICAL_FEATURES if name not in LEVELS)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class LakeLoad:
    """The load the lake last showed: open incidents per group, and arrivals per hour.

    The lake is refreshed daily while the API scores in real time, so the hour before a new
    incident is mostly beyond what the lake holds: there, the arrivals of that hour of the
    week, on average over the recent weeks, stand in for the count (a count of zero would
    tell the models that every new incident arrives in a lull).
    """

    backlog: dict[str, int] = field(default_factory=dict)
    recent_openings: list[datetime] = field(default_factory=list)
    covered_until: datetime | None = None
    hourly_arrivals: dict[tuple[int, int], float] = field(default_factory=dict)

    def arrivals_before(self, moment: datetime) -> int:
        """Incidents opened in the hour up to `moment`, counted or, beyond the lake, typical."""
        if self.covered_until is not None and moment > self.covered_until:
            hour_before = moment - HOUR
            typical = self.hourly_arrivals.get((hour_before.isoweekday(), hour_before.hour), 0.0)
            return round(typical)
        return sum(1 for opened in self.recent_openings if moment - HOUR <= opened < moment)


def as_utc(moment: datetime) -> datetime:
    """A timestamp in UTC; one without an offset is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _extra_value(extra: ExtraField, value: str | float | bool | None) -> str | float | None:
    if value is None:
        return None
    return float(value) if extra.kind == "numeric" else str(value)


def _schema(extras: tuple[ExtraField, ...]) -> dict[str, pl.DataType]:
    extra_types = {"categorical": pl.Categorical, "numeric": pl.Float64, "text": pl.String}
    return {
        "sys_id": pl.String,
        "number": pl.String,
        "opened_at": pl.Datetime("us", "UTC"),
        "predict_at": pl.Datetime("us", "UTC"),
        "known_at_prediction": pl.Boolean,
        **dict.fromkeys((*LEVELS, *FIELDS), pl.String),
        **dict.fromkeys(NUMERIC_FEATURES, pl.Int64),
        "short_description": pl.String,
        "description": pl.String,
        **{extra.column: extra_types[extra.kind] for extra in extras},
    }


def feature_rows(
    incidents: list[IncidentIn],
    settings: FeatureSettings,
    load: LakeLoad,
    extras: tuple[ExtraField, ...] = (),
) -> pl.DataFrame:
    """One row per incident with gold's feature columns; each incident has an id and a time."""
    zone = ZoneInfo(settings.business_hours_timezone)
    openings = [as_utc(incident.opened_at) for incident in incidents]
    rows = []
    for position, (incident, opened) in enumerate(zip(incidents, openings, strict=True)):
        local = opened.astimezone(zone)
        in_hours = (
            local.isoweekday() <= 5
            and settings.business_hours_start <= local.hour < settings.business_hours_end
        )
        batch_arrivals = sum(
            1
            for i, other in enumerate(openings)
            if i != position and opened - HOUR <= other < opened
        )
        levels = {name: getattr(incident, name) for name in LEVELS}
        rows.append(
            {
                "sys_id": incident.sys_id,
                "number": incident.number,
                "opened_at": opened,
                "predict_at": opened,
                "known_at_prediction": True,
                **{name: None if v is None else str(v) for name, v in levels.items()},
                **{name: getattr(incident, name) for name in FIELDS},
                "reassignment_count": incident.reassignment_count or 0,
                "reopen_count": incident.reopen_count or 0,
                "opened_hour": local.hour,
                "opened_weekday": local.isoweekday(),
                "in_business_hours": int(in_hours),
                "group_backlog": load.backlog.get(incident.assignment_group or "", 0),
                "arrivals_last_hour": load.arrivals_before(opened) + batch_arrivals,
                "short_description": scrub(incident.short_description),
                "description": scrub(incident.description),
                **{x.column: _extra_value(x, incident.extra.get(x.name)) for x in extras},
            }
        )
    return pl.DataFrame(rows, schema=_schema(extras), orient="row")


def unknown_extras(incident: IncidentIn, extras: tuple[ExtraField, ...]) -> list[str]:
    """The extra fields an incident names that the mapping does not declare."""
    declared = {extra.name for extra in extras}
    return sorted(name for name in incident.extra if name not in declared)
