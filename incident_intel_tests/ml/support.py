"""Synthetic incidents for the model tests: features with learnable, noisy rules for the
estimators, and a tiny gold for the model assets."""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import polars as pl

from incident_intel.gold.embedding_cache import EMBEDDER_FILE
from incident_intel.storage.atomic import write_bytes_atomic, write_parquet_atomic
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import INCIDENT_FEATURES, INCIDENT_TEXT_EMBEDDINGS

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


def write_tiny_gold(paths: LakePaths, n: int = 40, dimension: int = 8) -> pl.DataFrame:
    """Gold as its assets publish it, for `n` incidents of two kinds (printer jams, VPN
    outages) whose category gold says is `hardware` for all: the features, returned, and
    embeddings near one point per kind, with the file naming their embedder."""
    rng = np.random.default_rng(0)
    vpn = np.arange(n) % 2 == 1
    features = pl.DataFrame(
        {
            "sys_id": [f"s{i:03d}" for i in range(n)],
            "number": [f"INC{i:04d}" for i in range(n)],
            "opened_at": [datetime(2026, 1, 6, tzinfo=UTC) + timedelta(hours=i) for i in range(n)],
            "short_description": np.where(vpn, "vpn down", "printer jam"),
            "description": np.where(vpn, "cannot reach the vpn", "paper stuck in the printer"),
            "priority": np.where(vpn, "2 - High", "4 - Low"),
            "final_category": ["hardware"] * n,
            "final_assignment_group": np.where(vpn, "Network", "Service Desk"),
            "sla_breached": vpn,
            "ttr_hours": np.where(vpn, 6.0, 30.0),
            "split": [
                "train" if i < 0.7 * n else "valid" if i < 0.85 * n else "test" for i in range(n)
            ],
        }
    )
    centres = rng.normal(0, 1, (2, dimension))
    embeddings = features.select(
        "sys_id",
        pl.Series(
            "embedding",
            centres[vpn.astype(int)] + rng.normal(0, 0.05, (n, dimension)),
            dtype=pl.Array(pl.Float32, dimension),
        ),
    )
    write_parquet_atomic(features, paths.table_file(INCIDENT_FEATURES))
    write_parquet_atomic(embeddings, paths.table_file(INCIDENT_TEXT_EMBEDDINGS))
    write_bytes_atomic(
        paths.table_file(INCIDENT_TEXT_EMBEDDINGS, EMBEDDER_FILE),
        json.dumps({"model_id": "tiny", "backend": "test"}).encode(),
    )
    return features
