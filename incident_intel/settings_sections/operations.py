"""Settings of running the models: feedback, the API, business impact and drift."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from incident_intel.settings_sections.base import StrictConfig, one_of

DRIFT_SEVERITIES = ("WARN", "ERROR")


class FeedbackSettings(StrictConfig):
    """When the feedback the API received is enough to train again."""

    retrain_after: int = Field(
        50,
        ge=1,
        description="Feedback received since the models last trained that should trigger "
        "their retraining.",
    )


class ServeSettings(StrictConfig):
    """The scoring API: where it listens, what it accepts, and how often it looks for models."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    max_body_bytes: int = Field(8 * 1024 * 1024, gt=0, description="Larger request bodies get 413.")
    max_batch: int = Field(1000, ge=1, description="Incidents one /predict/batch may hold.")
    reload_seconds: float = Field(
        30.0, gt=0, description="How often the API checks the model store for a promotion."
    )
    stale_after_hours: float = Field(
        48.0, gt=0, description="Older data than this makes /health say degraded."
    )
    shadow: bool = Field(
        True, description="Score each request with the newest unpromoted version too, and log it."
    )


class BusinessImpactSettings(StrictConfig):
    """What an alert costs and a prevented breach saves: the business impact assumptions."""

    intervention_effect: float = Field(
        0.3,
        ge=0,
        le=1,
        description="The share of alerted true breaches that the team's intervention prevents.",
    )
    review_minutes: float = Field(
        15, ge=0, description="Minutes of an engineer's time to review one alert, true or false."
    )
    engineer_hour_cost: float = Field(60, ge=0, description="An engineer's hour, in currency.")
    breach_cost: float = Field(500, ge=0, description="One SLA breach, in currency.")
    currency: str = Field("EUR", min_length=1, description="The unit the costs are written in.")
    period_days: int = Field(
        30, gt=0, description="The report scales the test window's figures to this many days."
    )


class DriftSettings(StrictConfig):
    """When the open incidents have drifted from what the breach model learnt, and when that,
    or enough feedback, launches a retraining."""

    warn_above: float = Field(
        0.1, gt=0, description="PSI above which a drift check fails with severity WARN."
    )
    error_above: float = Field(
        0.25, gt=0, description="PSI above which a drift check fails with severity ERROR."
    )
    min_incidents: int = Field(
        200,
        ge=1,
        description="A day with fewer open incidents scored is measured but not judged: "
        "PSI over n incidents in b bins is about (b - 1) / n by chance alone.",
    )
    retrain_at: str = Field(
        "ERROR", description="The drift check severity (WARN or ERROR) that launches retraining."
    )

    @field_validator("retrain_at")
    @classmethod
    def _known_severity(cls, value: str) -> str:
        return one_of(value, DRIFT_SEVERITIES)

    @model_validator(mode="after")
    def _ordered(self) -> DriftSettings:
        if self.error_above <= self.warn_above:
            raise ValueError(
                f"error_above {self.error_above} must be above warn_above {self.warn_above}"
            )
        return self
