"""The candidate of each scoring model: a version saved after the promoted one, not promoted.

A training whose gates fail saves its version without promoting it; so does one an operator
wants to watch before promoting. The candidate is the most recently saved version, and only
while it is not `latest`: a version saved before the promoted one is history, not a candidate.
"""

from __future__ import annotations

from incident_intel.scoring.promoted import SCORING_MODELS
from incident_intel.storage.model_store import ModelStore


def candidate_versions(store: ModelStore) -> dict[str, str]:
    """Model name to its candidate version, for the scoring models that have one."""
    candidates = {}
    for name in SCORING_MODELS:
        newest = store.newest_version(name)
        if newest is not None and newest != store.latest_version(name):
            candidates[name] = newest
    return candidates
