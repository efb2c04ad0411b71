"""Bronze -> silver over real HTTP against the simulator, with each fault it can inflict."""

from datetime import date

import pytest

from incident_intel.bench.faults_lake import same_versions, synthetic_store
from incident_intel.ingest.source import ServiceNowIncidentSource
from incident_intel.settings import SourceSettings
from incident_intel.simulator.server import SimulatorServer
from incident_intel.simulator.settings import FaultSettings, SimulatorSettings
from incident_intel_tests.integration.harness import (
    expected_versions,
    materialize,
    pull_failure,
    silver_rejects,
    silver_versions,
)

DAY = date(2026, 1, 6)
PARTITION = DAY.isoformat()


def _source(
    server: SimulatorServer, password: str = "s3cret-pw", **pull
) -> ServiceNowIncidentSource:
    settings = {
        "page_size": 100,
        "backoff_initial_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "max_attempts": 8,
    }
    settings.update(pull)
    return ServiceNowIncidentSource(
        instance_url=server.url,
        username="admin",
        password=password,
        pull=SourceSettings(**settings),
    )


def _serve(store, faults: FaultSettings | None = None, **settings) -> SimulatorServer:
    return SimulatorServer(
        store,
        SimulatorSettings(
            username="admin", password="s3cret-pw", faults=faults or FaultSettings(), **settings
        ),
    )


@pytest.mark.parametrize(
    "faults",
    [
        FaultSettings(seed=1, error_rate=0.3),
        FaultSettings(seed=2, truncated_body_rate=0.3),
        FaultSettings(seed=3, duplicate_row_rate=0.5),
        FaultSettings(seed=4, short_page_rate=0.5),
        FaultSettings(seed=5, update_during_paging_rate=0.5),
        FaultSettings(
            seed=6,
            error_rate=0.1,
            truncated_body_rate=0.1,
            duplicate_row_rate=0.3,
            short_page_rate=0.3,
            update_during_paging_rate=0.3,
        ),
    ],
    ids=["5xx", "truncated", "duplicates", "short-pages", "updates-while-paging", "all"],
)
def test_silver_holds_exactly_the_window_despite_faults(tmp_path, faults):
    store = synthetic_store()
    with _serve(store, faults) as server:
        materialize(tmp_path, _source(server), PARTITION)
    assert same_versions(silver_versions(tmp_path, DAY), expected_versions(store, DAY))
    reasons = silver_rejects(tmp_path, DAY)["reason"].to_list()
    assert all(r.startswith("duplicate") for r in reasons)


def test_timeouts_are_retried_until_the_window_is_complete(tmp_path):
    store = synthetic_store(incidents_per_day=40)
    faults = FaultSettings(seed=8, latency_ms=600, latency_rate=0.3)
    with _serve(store, faults) as server:
        materialize(tmp_path, _source(server, timeout_seconds=0.25, page_size=50), PARTITION)
    assert same_versions(silver_versions(tmp_path, DAY), expected_versions(store, DAY))


def test_rate_limited_pull_honours_retry_after(tmp_path):
    store = synthetic_store(incidents_per_day=40)
    with _serve(store, rate_limit_per_second=4, rate_limit_burst=2) as server:
        materialize(tmp_path, _source(server, page_size=40), PARTITION)
    assert same_versions(silver_versions(tmp_path, DAY), expected_versions(store, DAY))


def test_persistent_failure_fails_the_asset_with_a_clear_message(tmp_path):
    store = synthetic_store(incidents_per_day=10)
    with _serve(store, FaultSettings(seed=1, error_rate=1.0)) as server:
        address = server.url.split("//")[1]
        message = pull_failure(tmp_path, _source(server, max_attempts=2), PARTITION)
    assert f"http://{address}/api/now/table/incident" in message
    assert "2026-01-06 00:00:00" in message and "after 2 attempts" in message
    assert "last status: 50" in message
    assert "s3cret-pw" not in message


def test_wrong_credentials_fail_at_once_with_the_status(tmp_path):
    store = synthetic_store(incidents_per_day=10)
    with _serve(store) as server:
        message = pull_failure(tmp_path, _source(server, password="wrong"), PARTITION)
    assert "HTTP 401" in message and "wrong" not in message.replace("went wrong", "")


def test_credentials_never_reach_bronze_or_metadata(tmp_path):
    store = synthetic_store(incidents_per_day=10)
    with _serve(store) as server:
        result = materialize(tmp_path, _source(server), PARTITION)
    stored = [p for p in (tmp_path / "bronze").rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        assert b"s3cret-pw" not in path.read_bytes()
    for event in result.get_asset_materialization_events():
        assert "s3cret-pw" not in str(event.materialization.metadata)
