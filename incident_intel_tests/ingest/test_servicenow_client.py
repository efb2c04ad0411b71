from datetime import UTC, datetime

import httpx
import pytest

from incident_intel.ingest.servicenow_client import (
    ServiceNowTableClient,
    SourcePullError,
    redact_url,
    window_query,
)
from incident_intel_tests.ingest.fake_table_api import FakeTableApi, record

START = datetime(2026, 1, 5, tzinfo=UTC)
END = datetime(2026, 1, 6, tzinfo=UTC)


def _client(api: FakeTableApi, waits: list[float] | None = None, **kwargs) -> ServiceNowTableClient:
    sleeps = waits if waits is not None else []
    return ServiceNowTableClient(
        "https://user:secret@example.service-now.test",
        auth=httpx.BasicAuth("user", "secret"),
        transport=api.transport(),
        sleep=sleeps.append,
        jitter_seed=1,
        **kwargs,
    )


def _ids(client: ServiceNowTableClient) -> list[str]:
    return [r["sys_id"]["value"] for p in client.pull_window(START, END) for r in p.records]


def test_first_query_orders_by_key_and_bounds_the_window():
    assert window_query(START, END) == (
        "sys_updated_on>=2026-01-05 00:00:00^sys_updated_on<2026-01-06 00:00:00"
        "^ORDERBYsys_updated_on^ORDERBYsys_id"
    )


def test_resume_query_breaks_ties_on_sys_id():
    query = window_query(START, END, after=("2026-01-05 10:00:00", "abc"))
    assert "sys_updated_on>2026-01-05 10:00:00^NQ" in query
    assert "sys_updated_on=2026-01-05 10:00:00^sys_id>abc" in query


def test_pages_by_keyset_through_ties_on_sys_updated_on():
    rows = [record(f"{i:03d}", "2026-01-05 10:00:00") for i in range(7)]
    rows += [record("x", "2026-01-05 11:00:00"), record("late", "2026-01-06 00:00:00")]
    api = FakeTableApi(rows)
    assert _ids(_client(api, page_size=3)) == [f"{i:03d}" for i in range(7)] + ["x"]


def test_a_short_page_is_not_the_end():
    rows = [record(f"{i:02d}", f"2026-01-05 0{i % 10}:00:00") for i in range(10)]
    api = FakeTableApi(rows, page_cap=2)
    assert len(_ids(_client(api, page_size=5))) == 10
    assert len(api.requests) == 6


@pytest.mark.parametrize(
    "failure",
    [
        lambda r: httpx.Response(503),
        lambda r: httpx.Response(500),
        lambda r: httpx.Response(200, content=b'{"result": [{"sys_id": '),
        lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)),
    ],
    ids=["503", "500", "truncated-body", "timeout"],
)
def test_transient_failures_are_retried(failure):
    api = FakeTableApi([record("a", "2026-01-05 01:00:00")], script={1: failure, 2: failure})
    waits: list[float] = []
    assert _ids(_client(api, waits)) == ["a"]
    assert len(waits) == 2


def test_429_waits_at_least_retry_after():
    api = FakeTableApi(
        [record("a", "2026-01-05 01:00:00")],
        script={1: lambda r: httpx.Response(429, headers={"Retry-After": "7"})},
    )
    waits: list[float] = []
    assert _ids(_client(api, waits)) == ["a"]
    assert waits[0] >= 7


def test_gives_up_with_a_clear_message_without_credentials():
    api = FakeTableApi([], script={n: (lambda r: httpx.Response(503)) for n in range(1, 10)})
    with pytest.raises(SourcePullError) as failure:
        list(_client(api, max_attempts=3).pull_window(START, END))
    message = str(failure.value)
    assert "https://example.service-now.test/api/now/table/incident" in message
    assert "2026-01-05 00:00:00" in message and "503" in message
    assert "secret" not in message


def test_unauthorised_is_not_retried():
    api = FakeTableApi([], script={1: lambda r: httpx.Response(401, text="no")})
    with pytest.raises(SourcePullError, match="401"):
        list(_client(api).pull_window(START, END))
    assert len(api.requests) == 1


def test_credentials_travel_in_the_header_only():
    api = FakeTableApi([record("a", "2026-01-05 01:00:00")])
    _ids(_client(api))
    request = api.requests[0]
    assert "secret" not in str(request.url)
    assert request.headers["Authorization"].startswith("Basic ")


def test_redact_url_drops_userinfo():
    assert redact_url("https://u:p@host.test:8443/x?y=1") == "https://host.test:8443/x"


def test_credentials_in_the_url_move_to_the_header():
    api = FakeTableApi([record("a", "2026-01-05 01:00:00")])
    client = ServiceNowTableClient("https://me:pw@host.test", transport=api.transport())
    assert [r["sys_id"]["value"] for p in client.pull_window(START, END) for r in p.records] == [
        "a"
    ]
    assert "pw" not in str(api.requests[0].url)
    assert api.requests[0].headers["Authorization"].startswith("Basic ")


def test_asks_for_the_named_fields_and_the_keyset_fields_without_links():
    api = FakeTableApi([record("a", "2026-01-05 10:00:00")])
    _ids(_client(api, fields=("state", "caller_id")))
    params = api.requests[0].url.params
    assert params["sysparm_fields"] == "caller_id,state,sys_id,sys_updated_on"
    assert params["sysparm_exclude_reference_link"] == "true"


def test_asks_for_every_field_when_none_is_named():
    api = FakeTableApi([record("a", "2026-01-05 10:00:00")])
    _ids(_client(api))
    assert "sysparm_fields" not in api.requests[0].url.params
