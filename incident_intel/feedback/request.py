"""One piece of feedback as a client sends it: the true label, or the real outcome, of an incident.

The fields are the labels the models learn; a correction of one overrides that label in the next
training (see `overrides.py`).
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

FeedbackField = Literal["assignment_group", "category", "sla_breached", "ttr_hours"]
# Each field a client may correct, and the gold column holding the label it corrects.
LABEL_COLUMNS: dict[str, str] = {
    "assignment_group": "final_assignment_group",
    "category": "final_category",
    "sla_breached": "sla_breached",
    "ttr_hours": "ttr_hours",
}
VALUE_MEANING: dict[str, str] = {
    "assignment_group": "the name of the group the incident should have gone to, a string",
    "category": "the category the incident belongs to, a string",
    "sla_breached": "true or false",
    "ttr_hours": "the hours the incident took to resolve, a positive number",
}


class FeedbackIn(BaseModel):
    """A correction of one label of one incident, named by exactly one of sys_id or number."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    feedback_id: str = Field(
        min_length=1,
        max_length=128,
        description="Chosen by the client: sending the same feedback again stores nothing new.",
    )
    sys_id: str | None = Field(None, min_length=1, max_length=64)
    number: str | None = Field(None, min_length=1, max_length=64)
    field: FeedbackField
    value: bool | float | str = Field(
        description="A string for assignment_group and category, true or false for "
        "sla_breached, positive hours for ttr_hours."
    )
    author: str | None = Field(None, max_length=256)
    comment: str | None = Field(None, max_length=4000)

    @field_validator("value")
    @classmethod
    def _value_fits_the_field(cls, value: bool | float | str, info: ValidationInfo):
        field = info.data.get("field")
        if field is None:  # the field itself was invalid, and is reported on its own
            return value
        if _fits(field, value):
            return value
        raise ValueError(f"{field} takes {VALUE_MEANING[field]}, not {value!r}")

    @model_validator(mode="after")
    def _one_incident(self) -> FeedbackIn:
        if (self.sys_id is None) == (self.number is None):
            raise ValueError("name the incident by exactly one of sys_id or number")
        return self


def _fits(field: str, value: bool | float | str) -> bool:
    if field in ("assignment_group", "category"):
        return isinstance(value, str) and value != ""
    if field == "sla_breached":
        return isinstance(value, bool)
    return isinstance(value, float) and math.isfinite(value) and value > 0
