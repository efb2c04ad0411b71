"""Which ready steps a run starts first when it has more ready steps than free processes.

The models' run has one process per core and one long chain: the features, their blocking
check, the embeddings, then the four models. Steps on that chain start before the steps beside
it (operations statistics, feedback, shadow comparison), and the models start longest first, so
that the shorter ones share the other core while the longest trains.
"""

PRIORITY_TAG = "dagster/priority"


def _priority(rank: int) -> dict[str, str]:
    return {PRIORITY_TAG: str(rank)}


CRITICAL_PATH = _priority(10)
# Longest first, by their CPU seconds on the default lake (2026-11-23): resolution time 69 to
# 75, SLA breach 60 to 64, triage 52 to 59, clusters 22 to 32.
RESOLUTION_TIME_MODEL = _priority(4)
SLA_BREACH_MODEL = _priority(3)
TRIAGE_MODEL = _priority(2)
INCIDENT_CLUSTERS = _priority(1)
