"""Settings of the data pipeline: the source, the simulator, silver and the features."""

from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator, model_validator

from incident_intel.settings_sections.base import StrictConfig, iana_timezone, iso_date, one_of

SIMULATOR_MODES = ("synthetic", "replay")


class SourceSettings(StrictConfig):
    """How incidents are pulled: the mapping, the table, paging and retries."""

    mapping: str = "servicenow_table_api"
    table: str = "incident"
    page_size: int = Field(1000, gt=0)
    timeout_seconds: float = Field(30.0, gt=0)
    max_attempts: int = Field(6, ge=1)
    backoff_initial_seconds: float = Field(0.5, ge=0)
    backoff_max_seconds: float = Field(30.0, ge=0)
    request_mapped_fields_only: bool = Field(
        False,
        description="Ask only for the fields the mapping reads (sysparm_fields): fewer bytes a "
        "record, but the schema drift check can then no longer name the fields the source "
        "has and the mapping could declare.",
    )


class SimulatorSection(StrictConfig):
    """The embedded simulator: what it serves, where it listens and who may call it.

    `synthetic` generates seeded incidents opened from start_date on; `replay` serves the
    ServiceNow CSV export at replay_csv.
    """

    mode: str = "synthetic"
    replay_csv: str | None = None
    seed: int = 42
    incidents_per_day: float = Field(300, gt=0)
    start_date: str = "2025-12-01"
    host: str = "127.0.0.1"
    port: int = Field(8765, ge=0, le=65535)
    username: str | None = "admin"
    password: str | None = "simulator"
    audit_access: bool = True

    _valid_start_date = field_validator("start_date")(iso_date)

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, mode: str) -> str:
        return one_of(mode, SIMULATOR_MODES)

    @model_validator(mode="after")
    def _consistent(self) -> SimulatorSection:
        if self.mode == "replay" and not self.replay_csv:
            raise ValueError("mode replay needs replay_csv, the path of a ServiceNow CSV export")
        if (self.username is None) != (self.password is None):
            raise ValueError("set both username and password, or neither")
        return self


class SilverSettings(StrictConfig):
    """How much a day's pull may lose to rejects before its partition fails."""

    max_reject_rate: float = Field(
        0.05,
        ge=0,
        le=1,
        description="Rejects per bronze record above which a partition fails; exact repeats "
        "of a version (page overlaps) do not count, since nothing is lost.",
    )


class SplitSettings(StrictConfig):
    """The time split: the newest fractions test and validate, or a date starts the test.

    `test_end` closes the test window, so that one cutoff of a rolling-origin backtest tests
    only the days after it; what opened later is used by no model.
    """

    valid_fraction: float = Field(0.15, gt=0, lt=1)
    test_fraction: float = Field(0.15, gt=0, lt=1)
    test_start: str | None = Field(
        None, description="YYYY-MM-DD: incidents opened on or after it are the test split."
    )
    test_end: str | None = Field(
        None,
        description="YYYY-MM-DD after test_start: incidents opened on or after it are in no "
        "split a model uses.",
    )

    _valid_dates = field_validator("test_start", "test_end")(iso_date)

    @model_validator(mode="after")
    def _test_window(self) -> SplitSettings:
        if self.test_end is None:
            return self
        if self.test_start is None:
            raise ValueError("test_end needs test_start, the first day of the test window")
        if date.fromisoformat(self.test_end) <= date.fromisoformat(self.test_start):
            raise ValueError(f"test_end {self.test_end} must be after test_start {self.test_start}")
        return self


class FeatureSettings(StrictConfig):
    """Features are as known at opened_at + horizon_minutes."""

    horizon_minutes: int = Field(0, ge=0)
    business_hours_start: int = Field(8, ge=0, le=23, description="Hour of day, local time.")
    business_hours_end: int = Field(18, ge=1, le=24, description="Hour of day, local time.")
    business_hours_timezone: str = Field(
        "UTC",
        description="IANA time zone of the team's working day, e.g. Europe/Lisbon; also the "
        "clock of the opened_hour and opened_weekday features.",
    )
    split: SplitSettings = SplitSettings()
    max_unknown_share: float = Field(
        0.05,
        ge=0,
        le=1,
        description="The most incidents that may have no version at or before their "
        "prediction time before the features check blocks training.",
    )

    _valid_timezone = field_validator("business_hours_timezone")(iana_timezone)

    @property
    def test_start_date(self) -> date | None:
        return date.fromisoformat(self.split.test_start) if self.split.test_start else None

    @property
    def test_end_date(self) -> date | None:
        return date.fromisoformat(self.split.test_end) if self.split.test_end else None
