"""What a model's inputs and outputs looked like when it was trained: the reference drift is
measured against, stored as JSON beside the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from incident_intel.monitoring.profile import (
    CategoricalProfile,
    NumericProfile,
    Profile,
    profile_from_dict,
)

# Bumped when the stored layout changes, so an old file is refused rather than misread.
FORMAT = 1


@dataclass(frozen=True)
class DriftReference:
    """A profile of each input column the model reads, and one of the risk it predicts.

    `features` are profiled on the rows the model learnt from. `risk` is profiled on the model's
    predictions for its test split: incidents it never learnt from, scored by the very model
    that is promoted, as the open incidents are. Its predictions on its own training rows would
    be sharper than on anything new, and a comparison with them would report drift on the
    first day.
    """

    features: dict[str, Profile]
    risk: NumericProfile
    feature_rows: int
    risk_rows: int

    @classmethod
    def build(
        cls, features: pl.DataFrame, categorical: Sequence[str], risk: np.ndarray
    ) -> DriftReference:
        """Profiles of every column of `features` (those in `categorical` by value, the others
        by quantile bins) and of the predicted `risk`."""
        profiles: dict[str, Profile] = {
            name: CategoricalProfile.fit(features[name])
            if name in categorical
            else NumericProfile.fit(features[name])
            for name in features.columns
        }
        return cls(
            features=profiles,
            risk=NumericProfile.fit(pl.Series("risk", risk, dtype=pl.Float64)),
            feature_rows=features.height,
            risk_rows=len(risk),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "feature_rows": self.feature_rows,
            "risk_rows": self.risk_rows,
            "features": {name: p.as_dict() for name, p in self.features.items()},
            "risk": self.risk.as_dict(),
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> DriftReference:
        if stored.get("format") != FORMAT:
            raise ValueError(
                f"drift reference format {stored.get('format')!r}, this code reads {FORMAT}: "
                "retrain the model to rebuild it"
            )
        risk = profile_from_dict(stored["risk"])
        if not isinstance(risk, NumericProfile):
            raise ValueError("the risk profile of a drift reference must be numeric")
        return cls(
            features={name: profile_from_dict(p) for name, p in stored["features"].items()},
            risk=risk,
            feature_rows=stored["feature_rows"],
            risk_rows=stored["risk_rows"],
        )
