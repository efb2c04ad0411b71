"""The OpenAPI document fuzzed: no input, however odd, makes the API answer 5xx."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from incident_intel_tests.api.conftest import AUTH

pytestmark = pytest.mark.slow

ROUTES = ["POST /predict", "POST /predict/batch", "GET /similar", "POST /feedback", "GET /health"]


@pytest.fixture(scope="session")
def api_schema(api_app, client):
    # `client` has run the app's lifespan, so the models are loaded when the fuzzing starts.
    return schemathesis.openapi.from_asgi("/openapi.json", api_app)


def test_every_route_is_fuzzed(api_schema):
    labels = {result.ok().label for result in api_schema.get_all_operations()}
    assert set(ROUTES) <= labels


@pytest.mark.parametrize("route", ROUTES)
def test_no_input_makes_a_server_error(api_schema, route):
    operation = api_schema.find_operation_by_label(route)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def fuzz(case):
        response = case.call(headers=AUTH)
        assert response.status_code < 500, response.text

    fuzz()
