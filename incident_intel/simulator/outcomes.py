"""The learnable-but-noisy rules behind synthetic outcomes: priority, SLA target, time to resolve.

Time to resolve is lognormal. Its median depends on category, group and priority, and is
stretched by reassignments, opening outside business hours or at weekends, time on hold and the
final group's workload that day, so a breach model has real signal without being trivial.
"""

from __future__ import annotations

import numpy as np

from incident_intel.simulator.catalog import GROUPS
from incident_intel.simulator.subcategories import CATEGORIES

# ServiceNow's default priority lookup: PRIORITY_MATRIX[impact - 1, urgency - 1].
PRIORITY_MATRIX = np.array([[1, 2, 3], [2, 3, 4], [3, 4, 5]])
SLA_TARGET_HOURS = {1: 4, 2: 8, 3: 24, 4: 72, 5: 120}

CATEGORY_MEDIAN_HOURS = {
    "network": 6.0,
    "hardware": 11.0,
    "software": 9.0,
    "database": 5.0,
    "access": 2.5,
    "email": 4.5,
    "security": 6.0,
    "inquiry": 3.0,
}
GROUP_SPEED = {
    "Service Desk": 0.6,
    "Network Operations": 1.0,
    "Database Administration": 0.9,
    "Windows Server Team": 1.1,
    "Linux Server Team": 1.0,
    "Identity & Access": 0.8,
    "Email & Collaboration": 0.9,
    "End User Computing": 1.3,
    "ERP Application Support": 1.6,
    "CRM Application Support": 1.3,
    "Security Operations": 0.9,
    "Storage & Backup": 1.2,
}
PRIORITY_FACTOR = {1: 0.25, 2: 0.45, 3: 1.0, 4: 2.2, 5: 3.0}
REASSIGNMENT_FACTOR = 0.7
OFF_HOURS_FACTOR = 1.5
WEEKEND_FACTOR = 1.7
HOLD_FACTOR = 1.4
LOAD_SIGMA = 0.45
TTR_SIGMA = 0.85
BUSINESS_HOURS = (8, 18)
MIN_TTR_HOURS = 0.1
MAX_TTR_HOURS = 20 * 24

_CATEGORY_MEDIANS = np.array([CATEGORY_MEDIAN_HOURS[c] for c in CATEGORIES])
_GROUP_SPEEDS = np.array([GROUP_SPEED[g] for g in GROUPS])
_PRIORITY_FACTORS = np.array([0.0] + [PRIORITY_FACTOR[p] for p in range(1, 6)])
_SLA_TARGET_SECONDS = np.array([0] + [SLA_TARGET_HOURS[p] * 3600 for p in range(1, 6)])


def priority(impact: np.ndarray, urgency: np.ndarray) -> np.ndarray:
    return PRIORITY_MATRIX[impact - 1, urgency - 1]


def sla_target_seconds(priorities: np.ndarray) -> np.ndarray:
    return _SLA_TARGET_SECONDS[priorities]


def group_load(rng: np.random.Generator) -> np.ndarray:
    """Each group's workload factor on one day: busy days resolve slower and breach more."""
    return rng.lognormal(0.0, LOAD_SIGMA, size=len(GROUPS))


def time_to_resolve_seconds(
    rng: np.random.Generator,
    *,
    category: np.ndarray,
    group: np.ndarray,
    priorities: np.ndarray,
    reassignments: np.ndarray,
    opened_hour: np.ndarray,
    weekend: bool,
    on_hold: np.ndarray,
    load: np.ndarray,
) -> np.ndarray:
    off_hours = (opened_hour < BUSINESS_HOURS[0]) | (opened_hour >= BUSINESS_HOURS[1])
    median = (
        _CATEGORY_MEDIANS[category]
        * _GROUP_SPEEDS[group]
        * _PRIORITY_FACTORS[priorities]
        * (1.0 + REASSIGNMENT_FACTOR * reassignments)
        * np.where(off_hours, OFF_HOURS_FACTOR, 1.0)
        * (WEEKEND_FACTOR if weekend else 1.0)
        * np.where(on_hold, HOLD_FACTOR, 1.0)
        * load[group]
    )
    hours = median * np.exp(TTR_SIGMA * rng.standard_normal(len(median)))
    return (np.clip(hours, MIN_TTR_HOURS, MAX_TTR_HOURS) * 3600).astype(np.int64)
