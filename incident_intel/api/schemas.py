"""The API's bodies beyond the incident itself (scoring/incident_in.py), for validation and
for the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Suggestion(BaseModel):
    label: str
    confidence: float


class SimilarIncident(BaseModel):
    number: str | None
    similarity: float
    ttr_hours: float | None
    close_code: str | None
    close_notes: str | None
    short_description: str | None


class Prediction(BaseModel):
    """Every output for one incident. Triage adds `<target>_suggestions` (top 3) and
    `<target>_action` for each of its targets, and breach one `breach_alert_<rule>` per
    threshold rule; a model with no promoted version leaves its fields null."""

    model_config = {"extra": "allow"}

    sys_id: str
    number: str | None
    breach_probability: float | None
    breach_factors: list[str] | None
    ttr_hours: float | None
    ttr_low_hours: float | None
    ttr_high_hours: float | None
    ttr_factors: list[str] | None
    similar: list[SimilarIncident]
    model_versions: dict[str, str | None]


class PredictOut(Prediction):
    processing_time_ms: float


class BatchOut(BaseModel):
    predictions: list[Prediction]
    model_versions: dict[str, str | None]
    processing_time_ms: float


class BatchIn(BaseModel):
    incidents: list[dict[str, Any]] = Field(
        description="Incidents in canonical names, or as records of the `source` mapping."
    )


class SimilarOut(BaseModel):
    query: str
    similar: list[SimilarIncident]


class HealthOut(BaseModel):
    status: str = Field(description="ok, or degraded with the reasons")
    reasons: list[str]
    model_versions: dict[str, str | None]
    data_as_of: str | None
    data_age_hours: float | None
    models_loaded_at: str
    model_swaps: int
