"""Which source the environment picks, and where its credentials may go."""

import pytest

from incident_intel.ingest.source import (
    ServiceNowIncidentSource,
    SimulatedIncidentSource,
    build_incident_source,
)
from incident_intel.settings import ProjectSettings

VARIABLES = (
    "SERVICENOW_INSTANCE_URL",
    "SERVICENOW_USERNAME",
    "SERVICENOW_PASSWORD",
    "SERVICENOW_TOKEN",
    "INCIDENT_INTEL_SIMULATOR_URL",
)


@pytest.fixture
def environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _source(environment, **variables: str) -> ServiceNowIncidentSource:
    """The source built from the environment, its EnvVars resolved as a run resolves them."""
    for name, value in variables.items():
        environment.setenv(name, value)
    return build_incident_source(ProjectSettings.load()).process_config_and_initialize()


def test_without_a_url_the_embedded_simulator_is_the_source(environment):
    assert isinstance(build_incident_source(ProjectSettings.load()), SimulatedIncidentSource)


def test_a_live_instance_never_gets_the_simulators_credentials(environment):
    # As docker-compose passes them: the live URL set, the credentials left empty.
    source = _source(
        environment,
        SERVICENOW_INSTANCE_URL="https://acme.service-now.com",
        SERVICENOW_USERNAME="",
        SERVICENOW_PASSWORD="",
        SERVICENOW_TOKEN="",
        INCIDENT_INTEL_SIMULATOR_URL="http://simulator:8765",
    )
    assert isinstance(source, ServiceNowIncidentSource)
    assert source.url == "https://acme.service-now.com"
    with pytest.raises(ValueError, match="credentials are missing"):
        source._auth()


def test_a_live_instance_uses_its_own_credentials(environment):
    source = _source(
        environment,
        SERVICENOW_INSTANCE_URL="https://acme.service-now.com",
        SERVICENOW_USERNAME="integration.user",
        SERVICENOW_PASSWORD="secret",
    )
    assert (source.username, source.password) == ("integration.user", "secret")


def test_a_separate_simulator_gets_the_simulators_credentials(environment):
    source = _source(environment, INCIDENT_INTEL_SIMULATOR_URL="http://simulator:8765")
    simulator = ProjectSettings.load().simulator
    assert source.url == "http://simulator:8765"
    assert (source.username, source.password) == (simulator.username, simulator.password)
