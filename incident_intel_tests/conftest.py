from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def servicenow_event_log() -> Path:
    path = SHARED_DATA / "servicenow_incident_event_log.csv.gz"
    if not path.exists():
        pytest.skip(f"the shared ServiceNow event log is not at {path}")
    return path


@pytest.fixture(scope="session")
def endava_tickets() -> Path:
    path = SHARED_DATA / "endava_support_tickets_sample.csv.gz"
    if not path.exists():
        pytest.skip(f"the shared Endava ticket sample is not at {path}")
    return path
