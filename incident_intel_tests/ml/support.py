"""Synthetic incident features with learnable, noisy rules, for the estimator tests."""

import numpy as np
import pandas as pd

PRIORITIES = ["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"]
GROUPS = ["Service Desk", "Network", "Database", "Identity"]


def make_incidents(n: int, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Features, SLA breach labels and resolution hours with learnable, noisy rules."""
    rng = np.random.default_rng(seed)
    priority = rng.choice(PRIORITIES, size=n, p=[0.1, 0.2, 0.4, 0.3])
    group = rng.choice(GROUPS, size=n)
    reassignments = rng.poisson(1.0, size=n)
    backlog = rng.normal(0, 1, size=n)
    group_missing = rng.random(n) < 0.05
    X = pd.DataFrame(
        {
            "priority": priority,
            "assignment_group": np.where(group_missing, None, group),
            "reassignment_count": reassignments,
            "group_backlog": backlog,
        }
    )
    urgent = np.isin(priority, PRIORITIES[:2]).astype(float)
    logit = -1.5 + 1.5 * urgent + 0.8 * reassignments + 1.0 * backlog + 0.7 * (group == "Network")
    breached = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    base_hours = np.select([urgent == 1, group == "Database"], [4.0, 30.0], default=12.0)
    hours = base_hours * np.exp(0.4 * reassignments + 0.3 * backlog + rng.normal(0, 0.5, n))
    return X, breached, hours
