from __future__ import annotations

import pytest

from incident_intel.simulator.synthetic import SyntheticIncidentStore
from incident_intel_tests.simulator.support import START_DATE, synthetic_store


@pytest.fixture(scope="session")
def shared_store() -> SyntheticIncidentStore:
    """A store nobody writes to, with a long history; tests that inject updates build their own."""
    return synthetic_store(start_date=START_DATE)
