from __future__ import annotations

from datetime import timedelta

import httpx
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from incident_intel.silver.cast import cast_canonical
from incident_intel.silver.extract import extract_strings, flatten_api_record
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.simulator.canonical import API_SOURCE, cast, from_versions, sort_key
from incident_intel_tests.simulator.keyset import key, pull, window_query
from incident_intel_tests.simulator.support import (
    DAY,
    NEXT_DAY,
    serving,
    synthetic_store,
)

URL = "/api/now/table/incident"
ONE_ROW = {"sysparm_limit": 1, "sysparm_query": window_query(DAY, NEXT_DAY)}
CREDENTIALS = {"username": "admin", "password": "secret", "token": "t0ken"}


def _as_silver(records: list[dict]) -> pl.DataFrame:
    """Records parsed exactly as the ingest path parses them."""
    source = load_schema_mapping().source(API_SOURCE)
    flat = [flatten_api_record(r, source.source_fields) for r in records]
    typed, reason = cast_canonical(extract_strings(pl.DataFrame(flat), source), source)
    assert reason.null_count() == len(reason)
    return typed.sort("sys_updated_on", "sys_id")


def test_health(shared_store):
    with serving(shared_store) as client:
        assert client.get("/health").json() == {"status": "ok"}


def _typed(versions: list[dict]) -> pl.DataFrame:
    valid, rejects = cast(from_versions(versions))
    assert rejects.is_empty()
    return valid


def test_a_keyset_pull_returns_exactly_the_current_records(shared_store):
    with serving(shared_store) as client:
        pulled = pull(client, DAY, NEXT_DAY, limit=7, display="all")
    current = shared_store.current_between(DAY, NEXT_DAY)
    assert len(pulled.rows) == len(pulled.keys) == len(current) > 20
    assert_frame_equal(_as_silver(pulled.rows), _typed(current))


def test_an_off_the_shelf_client_following_links_sees_each_incident_once():
    """A plain offset pager, knowing nothing of the project: it follows rel="next"."""
    # A short history keeps every day's rows cached across the pages.
    store = synthetic_store(now=DAY + timedelta(days=3))
    rows: list[dict] = []
    with serving(store) as client:
        first = httpx.URL(
            str(client.base_url.join(URL)),
            params={"sysparm_limit": 100, "sysparm_query": "priority<=3^ORDERBYnumber"},
        )
        url: str | None = str(first)
        while url:
            response = client.get(url)
            response.raise_for_status()
            rows += response.json()["result"]
            url = response.links.get("next", {}).get("url")
    sys_ids = [r["sys_id"] for r in rows]
    assert len(sys_ids) == len(set(sys_ids)) > 100
    everything = store.current_between(store.earliest(), DAY + timedelta(days=3))
    wanted = sorted((v["number"], v["sys_id"]) for v in everything if int(v["priority"]) <= 3)
    assert [(r["number"], r["sys_id"]) for r in rows] == wanted


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic YWRtaW46d3Jvbmc="}, 401),  # admin:wrong
        ({"Authorization": "Basic YWRtaW46c2VjcmV0"}, 200),  # admin:secret
        ({"Authorization": "Bearer t0ken"}, 200),
        ({"Authorization": "Bearer nope"}, 401),
        ({"Authorization": "Digest abc"}, 401),
    ],
)
def test_basic_and_bearer_authentication(shared_store, headers, status):
    with serving(shared_store, **CREDENTIALS) as client:
        response = client.get(URL, params=ONE_ROW, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert response.json()["error"]["message"] == "User Not Authenticated"
        assert response.json()["status"] == "failure"


def test_total_count_and_link_headers(shared_store):
    total = len(shared_store.current_between(DAY, NEXT_DAY))
    assert total > 30
    query = window_query(DAY, NEXT_DAY)
    with serving(shared_store) as client:
        response = client.get(
            URL, params={"sysparm_query": query, "sysparm_limit": 10, "sysparm_offset": 20}
        )
    assert int(response.headers["X-Total-Count"]) == total
    assert len(response.json()["result"]) == 10
    links = {rel: httpx.URL(link["url"]) for rel, link in response.links.items()}
    assert {rel: int(url.params["sysparm_offset"]) for rel, url in links.items()} == {
        "first": 0,
        "prev": 10,
        "next": 30,
        "last": (total - 1) // 10 * 10,
    }
    # The query goes with every link, so that following them pages the same query.
    assert all(url.params["sysparm_query"] == query for url in links.values())
    assert all(url.params["sysparm_limit"] == "10" for url in links.values())
    assert all(url.path == URL for url in links.values())


def test_the_link_header_does_not_repeat_a_very_long_query(shared_store):
    # ~48 KB of conditions that each exclude an incident number no incident has.
    query = window_query(DAY, NEXT_DAY) + "".join(f"^number!=X{i:09d}" for i in range(2500))
    with serving(shared_store) as client:
        response = client.get(URL, params={"sysparm_query": query, "sysparm_limit": 10})
    assert response.status_code == 200
    assert len(response.json()["result"]) == 10
    assert len(response.headers["Link"]) < 1000
    assert set(response.links) == {"first", "next", "last"}


def _reference_links(response: httpx.Response, name: str) -> list[str]:
    return [r[name]["link"] for r in response.json()["result"] if "link" in (r[name] or {})]


def test_the_host_header_is_never_trusted(shared_store):
    forged = {"Host": "evil.example"}
    page = {**ONE_ROW, "sysparm_limit": 5, "sysparm_display_value": "all"}
    with serving(shared_store) as client:
        table = client.get(URL, params=page, headers=forged)
        others = [client.get(path, headers=forged) for path in (URL + "/", "/health/")]
        base = str(client.base_url).rstrip("/")
    assert table.status_code == 200
    for response in [table, *others]:
        headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
        assert "evil.example" not in headers + response.text
    links = [link["url"] for link in table.links.values()] + _reference_links(table, "caller_id")
    assert len(links) > 5
    assert all(link.startswith(base + "/api/now/table/") for link in links)


def test_links_use_the_configured_base_url(shared_store):
    with serving(shared_store, base_url="https://instance.example.com/") as client:
        response = client.get(URL, params=ONE_ROW)
    links = [link["url"] for link in response.links.values()] + _reference_links(
        response, "caller_id"
    )
    assert len(links) > 1
    assert all(link.startswith("https://instance.example.com/api/now/table/") for link in links)


def test_offset_paging_and_fields(shared_store):
    query = window_query(DAY, NEXT_DAY)
    rows = []
    with serving(shared_store) as client:
        while True:
            params = {
                "sysparm_query": query,
                "sysparm_limit": 10,
                "sysparm_offset": len(rows),
                "sysparm_fields": "sys_id,sys_updated_on,caller_id",
                "sysparm_exclude_reference_link": "true",
            }
            page = client.get(URL, params=params).json()["result"]
            if not page:
                break
            rows.extend(page)
    truth = _typed(shared_store.current_between(DAY, NEXT_DAY))
    assert [key(r) for r in rows] == [
        (t.strftime("%Y-%m-%d %H:%M:%S"), s)
        for t, s in truth.select("sys_updated_on", "sys_id").iter_rows()
    ]
    assert set(rows[0]) == {"sys_id", "sys_updated_on", "caller_id"}
    assert rows[0]["caller_id"] == truth["caller"][0]


def test_limit_is_capped_and_defaults_to_the_cap(shared_store):
    with serving(shared_store, max_page_size=25) as client:
        window = window_query(DAY, NEXT_DAY)
        capped = client.get(URL, params={"sysparm_limit": 50_000, "sysparm_query": window})
        default = client.get(URL, params={"sysparm_query": window})
    assert len(capped.json()["result"]) == len(default.json()["result"]) == 25


@pytest.mark.parametrize(
    "params",
    [
        {"sysparm_query": "not a query"},
        {"sysparm_limit": "ten"},
        {"sysparm_offset": "-1"},
        {"sysparm_display_value": "maybe"},
    ],
)
def test_bad_parameters_get_a_servicenow_style_400(shared_store, params):
    with serving(shared_store) as client:
        response = client.get(URL, params=params)
    assert response.status_code == 400
    assert response.json()["status"] == "failure"
    assert response.json()["error"]["detail"]


EDGE_TIMESTAMPS = (
    "9999-12-31 23:59:59",
    "0001-01-01 00:00:00",
    "0999-06-30",
    "10000-01-01 00:00:00",
    "2026-02-30 00:00:00",
    "2026-01-05T10:00:00Z",
)


def test_a_timestamp_out_of_range_or_malformed_gets_a_400_naming_it(shared_store):
    with serving(shared_store) as client:
        for value in EDGE_TIMESTAMPS:
            for op in ("=", ">=", ">", "<"):
                query = f"sys_updated_on{op}{value}"
                response = client.get(URL, params={"sysparm_query": query})
                assert response.status_code == 400, query
                assert response.json()["status"] == "failure"
                assert response.json()["error"]["message"] == "Invalid query"
                assert value in response.json()["error"]["detail"]


def test_rate_limit_answers_429_with_retry_after(shared_store):
    with serving(shared_store, rate_limit_per_second=0.5, rate_limit_burst=2) as client:
        statuses = [client.get(URL, params=ONE_ROW) for _ in range(3)]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[2].headers["Retry-After"]) >= 1
    assert statuses[2].json()["error"]["message"] == "Rate limit exceeded"


def test_serves_a_large_day_in_1000_row_pages_with_display_value_all():
    # Throughput is measured by `incident-intel bench ingest`, not asserted here. At the end of
    # the day, every incident it touched is current and its row falls within it.
    store = synthetic_store(incidents_per_day=1500, now=NEXT_DAY)
    with serving(store) as client:
        pulled = pull(client, DAY, NEXT_DAY, limit=1000, display="all")
    assert len(pulled.rows) > 3000
    assert pulled.keys == [sort_key(v) for v in store.current_between(DAY, NEXT_DAY)]


def test_display_all_serves_only_the_fields_asked_and_no_links_when_excluded(shared_store):
    asked = {"sys_id", "sys_updated_on", "caller_id", "priority"}
    params = {**ONE_ROW, "sysparm_display_value": "all", "sysparm_fields": ",".join(asked)}
    with serving(shared_store) as client:
        linked = client.get(URL, params=params).json()["result"][0]
        bare = client.get(URL, params={**params, "sysparm_exclude_reference_link": "true"}).json()[
            "result"
        ][0]
    assert set(linked) == set(bare) == asked
    assert "link" in linked["caller_id"]
    assert bare["caller_id"] == {k: v for k, v in linked["caller_id"].items() if k != "link"}
