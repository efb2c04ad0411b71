"""Whether the API is fit to serve: ok, or degraded with the reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from incident_intel.api.holder import ServiceHolder


def health_of(holder: ServiceHolder, stale_after_hours: float, now: datetime) -> dict[str, Any]:
    service = holder.current
    reasons = [f"no promoted {name}" for name in service.scorer.models.missing]
    age = None
    if service.data_as_of is None:
        reasons.append("the lake holds no incidents")
    else:
        age = (now - service.data_as_of).total_seconds() / 3600
        if age > stale_after_hours:
            reasons.append(f"the newest incident update is {age:.0f} h old")
    if holder.last_error:
        reasons.append(holder.last_error)
    return {
        "status": "degraded" if reasons else "ok",
        "reasons": reasons,
        "model_versions": service.versions,
        "data_as_of": None if service.data_as_of is None else service.data_as_of.isoformat(),
        "data_age_hours": None if age is None else round(age, 2),
        "models_loaded_at": holder.loaded_at.isoformat(),
        "model_swaps": holder.swaps,
    }
