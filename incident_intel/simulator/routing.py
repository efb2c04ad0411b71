"""The assignment groups an incident passes through on its way to the group that resolves it.

Most incidents reach their final group (usually their subcategory's) directly; the others first
land at the service desk or a wrong group, and some of those bounce to a second wrong group.
"""

from __future__ import annotations

import numpy as np

from incident_intel.simulator.catalog import GROUPS, SERVICE_DESK
from incident_intel.simulator.subcategories import SUBCATEGORIES

WRONG_GROUP_NOISE = 0.1
WRONG_FIRST_GROUP_RATE = 0.3
FIRST_GROUP_IS_SERVICE_DESK = 0.7
SECOND_BOUNCE_RATE = 0.25

_SUB_GROUP = np.array([GROUPS.index(s.group) for s in SUBCATEGORIES])


def _other_group(rng: np.random.Generator, excluded: np.ndarray) -> np.ndarray:
    """A uniformly random group different from `excluded`, element-wise."""
    drawn = rng.integers(0, len(GROUPS) - 1, len(excluded))
    return drawn + (drawn >= excluded)


def draw_groups(rng: np.random.Generator, sub: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Groups after 0, 1 and 2 reassignments, and the number of reassignments."""
    n = len(sub)
    final = np.where(
        rng.random(n) < WRONG_GROUP_NOISE,
        rng.integers(0, len(GROUPS), n),
        _SUB_GROUP[sub],
    )
    wrong_first = (rng.random(n) < WRONG_FIRST_GROUP_RATE) & (final != SERVICE_DESK)
    first = np.where(
        rng.random(n) < FIRST_GROUP_IS_SERVICE_DESK, SERVICE_DESK, _other_group(rng, final)
    )
    bounced = wrong_first & (rng.random(n) < SECOND_BOUNCE_RATE)
    groups = np.stack(
        [
            np.where(wrong_first, first, final),
            np.where(bounced, _other_group(rng, final), final),
            final,
        ],
        axis=1,
    )
    return groups, wrong_first.astype(np.int64) + bounced
