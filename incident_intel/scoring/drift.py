"""A scored day's drift from the promoted breach model's reference, or why none was measured."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING

import polars as pl

from incident_intel.monitoring.drift import Drift, measure_drift
from incident_intel.monitoring.figures import figures_frame
from incident_intel.monitoring.reference import DriftReference

if TYPE_CHECKING:
    # The scoring core loads the ML libraries, which the code location must not import.
    from incident_intel.scoring.open_scores import ScoredDay


class Unmeasured(Enum):
    NO_MODEL = "no promoted sla_breach_model scores risk yet, so there is nothing to drift"
    NO_REFERENCE = (
        "the promoted sla_breach_model was saved without a drift reference (trained before "
        "drift was watched): retrain it to measure drift"
    )
    NO_INCIDENTS = "no open incident was scored"


@dataclass(frozen=True)
class DayDrift:
    day: date
    model_version: str | None
    drift: Drift | None
    unmeasured: Unmeasured | None

    def figures(self) -> pl.DataFrame:
        return figures_frame(self.day, self.model_version, self.drift)

    def summary(self) -> str:
        if self.drift is None:
            return f"drift not measured: {self.unmeasured.value}"
        [(top, value)] = self.drift.top_features(1)
        usual = self.drift.usual.get(top, 0.0)
        return (
            f"drift: input PSI {value:.3f} for {top} (usual {usual:.3f}), "
            f"risk PSI {self.drift.risk:.3f} (usual {self.drift.risk_usual:.3f})"
        )


def measure_day(scored: ScoredDay) -> DayDrift:
    """The day's open incidents, inputs and risk, against the reference of the model that
    scored them."""
    model = scored.breach_model
    if model is None:
        return DayDrift(scored.day, None, None, Unmeasured.NO_MODEL)
    if model.drift_reference is None:
        return DayDrift(scored.day, model.version, None, Unmeasured.NO_REFERENCE)
    if scored.scores.is_empty():
        return DayDrift(scored.day, model.version, None, Unmeasured.NO_INCIDENTS)
    drift = measure_drift(
        DriftReference.from_dict(model.drift_reference),
        scored.inputs,
        scored.scores["breach_probability"].to_numpy(),
    )
    return DayDrift(scored.day, model.version, drift, None)
