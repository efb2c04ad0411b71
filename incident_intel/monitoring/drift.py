"""Drift of new incidents against a model's reference: PSI per input column and of the risk."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import polars as pl

from incident_intel.monitoring.psi import psi
from incident_intel.monitoring.reference import DriftReference


class Severity(IntEnum):
    """How far a distribution moved, ordered so that a severity can be compared with another."""

    OK = 0
    WARN = 1
    ERROR = 2


def grade(value: float, warn_above: float, error_above: float) -> Severity:
    if value > error_above:
        return Severity.ERROR
    if value > warn_above:
        return Severity.WARN
    return Severity.OK


@dataclass(frozen=True)
class Drift:
    """PSI of each input column and of the predicted risk, over `incidents` new incidents,
    beside the PSI a single day of the reference usually showed (zero where unknown).

    A day is judged on its excess, the PSI beyond the usual: a column whose backlog swings
    from one day to the next by nature does not alarm every day, and one that never moved in
    the reference alarms at the configured thresholds, as before.
    """

    features: dict[str, float]
    risk: float
    incidents: int
    usual: dict[str, float] = field(default_factory=dict)
    risk_usual: float = 0.0

    def excess(self, name: str) -> float:
        return max(0.0, self.features[name] - self.usual.get(name, 0.0))

    @property
    def max_feature_psi(self) -> float:
        return max(self.features.values(), default=0.0)

    @property
    def max_feature_excess(self) -> float:
        return max((self.excess(name) for name in self.features), default=0.0)

    @property
    def risk_excess(self) -> float:
        return max(0.0, self.risk - self.risk_usual)

    def top_features(self, n: int) -> list[tuple[str, float]]:
        """The n columns that moved most beyond their usual PSI, with their PSI: largest
        excess first, then largest PSI, then by name."""
        ranked = sorted(
            self.features.items(), key=lambda item: (-self.excess(item[0]), -item[1], item[0])
        )
        return ranked[:n]


def measure_drift(reference: DriftReference, features: pl.DataFrame, risk: np.ndarray) -> Drift:
    """Each reference column of `features`, and `risk`, counted in the reference's bins.

    A column the frame lacks is missing for every row, as the scorer treats it.
    """
    if features.height == 0:
        raise ValueError("no incidents to measure drift on")
    psi_by_feature = {}
    for name, profile in reference.features.items():
        values = (
            features[name]
            if name in features.columns
            else pl.Series(name, [None] * features.height, dtype=pl.Null)
        )
        psi_by_feature[name] = psi(profile.proportions, profile.shares(values))
    risk_shares = reference.risk.shares(pl.Series("risk", risk, dtype=pl.Float64))
    return Drift(
        features=psi_by_feature,
        risk=psi(reference.risk.proportions, risk_shares),
        incidents=features.height,
        usual={name: reference.usual.get(name, 0.0) for name in psi_by_feature},
        risk_usual=reference.risk_usual,
    )
