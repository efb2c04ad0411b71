import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _shared_file(name: str) -> Path:
    """A real dataset from ../shared/data; CI requires it, a developer's run may skip without it."""
    path = SHARED_DATA / name
    if not path.exists():
        message = f"the shared dataset {name} is not at {path}"
        if os.environ.get("INCIDENT_INTEL_REQUIRE_REAL_DATA"):
            pytest.fail(message + " (INCIDENT_INTEL_REQUIRE_REAL_DATA is set)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def servicenow_event_log() -> Path:
    return _shared_file("servicenow_incident_event_log.csv.gz")


@pytest.fixture(scope="session")
def endava_tickets() -> Path:
    return _shared_file("endava_support_tickets_sample.csv.gz")


@pytest.fixture(scope="session")
def trained_lake(tmp_path_factory):
    """(root, result): a small lake with every model trained; see trained_lake.py."""
    from incident_intel_tests.trained_lake import build_trained_lake

    root = tmp_path_factory.mktemp("trained_lake")
    return root, build_trained_lake(root)


@pytest.fixture(scope="session")
def scored_lake(trained_lake):
    """(root, result): the trained lake with its last day scored and the dashboard built."""
    from incident_intel_tests.trained_lake import score_and_build_dashboard

    root, _ = trained_lake
    return root, score_and_build_dashboard(root)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium from the system's packages, driven by playwright. Per module: its event
    loop must not outlive the browser tests, or Dagster's in-process runs trip over it."""
    from incident_intel.bench.browser import (
        MISSING_CHROMIUM,
        chromium_executable,
        headless_chromium,
    )

    if chromium_executable() is None:
        pytest.fail(MISSING_CHROMIUM, pytrace=False)
    with headless_chromium() as chromium:
        yield chromium
