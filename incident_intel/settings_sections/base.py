"""What every settings section shares: unknown keys refused, and checks of common values."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dagster as dg
from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """A settings section that rejects keys it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StrictConfig(dg.Config):
    """A settings section that Dagster shows in the launchpad, and that rejects unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def one_of(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"expected one of {', '.join(allowed)}")
    return value


def iana_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("expected an IANA time zone name such as UTC or Europe/Lisbon") from None
    return name


def iso_date(value: str | None) -> str | None:
    if value is not None:
        date.fromisoformat(str(value))
    return None if value is None else str(value)
