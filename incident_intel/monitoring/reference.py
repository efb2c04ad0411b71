"""What a model's inputs and outputs looked like when it was trained: the reference drift is
measured against, stored as JSON beside the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from incident_intel.monitoring.profile import (
    CategoricalProfile,
    NumericProfile,
    Profile,
    profile_from_dict,
)
from incident_intel.monitoring.psi import psi

# Bumped when the stored layout changes, so an old file is refused rather than misread.
# Format 1 had no usual day-to-day PSI; it reads as none (zero), as it was judged then.
FORMAT = 2
READABLE_FORMATS = (1, FORMAT)


def _profile(values: pl.Series, categorical: bool) -> Profile:
    return CategoricalProfile.fit(values) if categorical else NumericProfile.fit(values)


def usual_psi(values: pl.Series, days: np.ndarray, categorical: bool, min_day_rows: int) -> float:
    """The largest PSI any one day of `values` with at least `min_day_rows` rows shows against
    the other days: how far a single day moves by chance and by the weekly rhythm, with nothing
    changed. Zero with fewer than two days.

    A day's backlog is not a sample of independent incidents: its rows share the day's load,
    its weekday and the few incidents that dominate it, so one day's PSI against the pooled
    reference is well above the (bins − 1) / n of sampling alone, on every day. A smaller day
    would measure its own sampling noise, as it would if it were scored.
    """
    distinct, sizes = np.unique(days, return_counts=True)
    if len(distinct) < 2:
        return 0.0
    largest = 0.0
    for day in distinct[sizes >= min_day_rows]:
        mask = days == day
        profile = _profile(values.filter(pl.Series(~mask)), categorical)
        largest = max(largest, psi(profile.proportions, profile.shares(values.filter(mask))))
    return largest


@dataclass(frozen=True)
class DriftReference:
    """A profile of each input column the model reads, and one of the risk it predicts.

    `features` are profiled on the rows the model learnt from. `risk` is profiled on the model's
    predictions for its test split: incidents it never learnt from, scored by the very model
    that is promoted, as the open incidents are. Its predictions on its own training rows would
    be sharper than on anything new, and a comparison with them would report drift on the
    first day.

    `usual` holds, per column, the largest PSI one day of the reference showed against its
    other days (`usual_psi`), and `risk_usual` the same for the risk: a new day is judged on how
    far it moved beyond that. Without days to compare, both are zero.
    """

    features: dict[str, Profile]
    risk: NumericProfile
    feature_rows: int
    risk_rows: int
    usual: dict[str, float] = field(default_factory=dict)
    risk_usual: float = 0.0

    @classmethod
    def build(
        cls,
        features: pl.DataFrame,
        categorical: Sequence[str],
        risk: np.ndarray,
        feature_days: np.ndarray | None = None,
        risk_days: np.ndarray | None = None,
        min_day_rows: int = 1,
    ) -> DriftReference:
        """Profiles of every column of `features` (those in `categorical` by value, the others
        by quantile bins) and of the predicted `risk`; with the day each row stands for, each
        one's usual day-to-day PSI too (`usual_psi`)."""
        risk_values = pl.Series("risk", risk, dtype=pl.Float64)
        return cls(
            features={
                name: _profile(features[name], name in categorical) for name in features.columns
            },
            risk=NumericProfile.fit(risk_values),
            feature_rows=features.height,
            risk_rows=len(risk),
            usual={}
            if feature_days is None
            else {
                name: usual_psi(features[name], feature_days, name in categorical, min_day_rows)
                for name in features.columns
            },
            risk_usual=0.0
            if risk_days is None
            else usual_psi(risk_values, risk_days, False, min_day_rows),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "feature_rows": self.feature_rows,
            "risk_rows": self.risk_rows,
            "features": {name: p.as_dict() for name, p in self.features.items()},
            "risk": self.risk.as_dict(),
            "usual": self.usual,
            "risk_usual": self.risk_usual,
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> DriftReference:
        if stored.get("format") not in READABLE_FORMATS:
            raise ValueError(
                f"drift reference format {stored.get('format')!r}, this code reads "
                f"{READABLE_FORMATS}: retrain the model to rebuild it"
            )
        risk = profile_from_dict(stored["risk"])
        if not isinstance(risk, NumericProfile):
            raise ValueError("the risk profile of a drift reference must be numeric")
        return cls(
            features={name: profile_from_dict(p) for name, p in stored["features"].items()},
            risk=risk,
            feature_rows=stored["feature_rows"],
            risk_rows=stored["risk_rows"],
            usual=stored.get("usual", {}),
            risk_usual=stored.get("risk_usual", 0.0),
        )
