"""The tables beside `incident` (sys_audit, sys_audit_delete), their routing and their access."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from incident_intel.simulator.audit import AUDIT_COLUMNS, DELETE_COLUMNS
from incident_intel.simulator.settings import FaultSettings
from incident_intel_tests.simulator.keyset import (
    AUDIT,
    DELETIONS,
    INCIDENT,
    pull,
    window_query,
)
from incident_intel_tests.simulator.support import (
    DAY,
    NEXT_DAY,
    NOW,
    assert_audit_rebuilds,
    inserted_within,
    serving,
    synthetic_store,
)

AUDIT_URL = "/api/now/table/sys_audit"
DELETE_URL = "/api/now/table/sys_audit_delete"
INCIDENT_URL = "/api/now/table/incident"
ADMIN = {"username": "admin", "password": "secret", "token": "t0ken"}
BASIC_ADMIN = {"Authorization": "Basic YWRtaW46c2VjcmV0"}  # admin:secret
AUDIT_PAGE = {"sysparm_query": window_query(DAY, NEXT_DAY, paging=AUDIT), "sysparm_limit": 5}


def _audit_keys(rows: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(r["sys_created_on"], r["sys_id"]) for r in rows]


def test_an_unknown_table_gets_servicenow_s_400(shared_store):
    with serving(shared_store) as client:
        response = client.get("/api/now/table/problem", params={"sysparm_limit": 1})
    assert response.status_code == 400
    assert response.json()["status"] == "failure"
    assert response.json()["error"]["message"] == "Invalid table problem"
    assert "sys_audit" in response.json()["error"]["detail"]


@pytest.mark.parametrize(
    ("settings", "headers"),
    [
        ({**ADMIN, "audit_forbidden_users": ("admin",)}, BASIC_ADMIN),
        # A token acts for the configured user.
        ({**ADMIN, "audit_forbidden_users": ("admin",)}, {"Authorization": "Bearer t0ken"}),
        # Without authentication, "" is the anonymous caller.
        ({"audit_forbidden_users": ("",)}, {}),
    ],
    ids=["basic", "bearer", "anonymous"],
)
def test_a_user_without_the_audit_role_reads_incident_but_gets_403_on_the_audit(
    shared_store, settings, headers
):
    with serving(shared_store, **settings) as client:
        incident = client.get(INCIDENT_URL, params={"sysparm_limit": 1}, headers=headers)
        refused = [
            client.get(url, params={"sysparm_limit": 1}, headers=headers)
            for url in (AUDIT_URL, DELETE_URL)
        ]
    assert incident.status_code == 200
    for response in refused:
        assert response.status_code == 403
        assert response.json()["error"]["message"] == "User Not Authorized"
        assert response.json()["error"]["detail"]
        assert response.json()["status"] == "failure"


def test_other_users_read_the_audit(shared_store):
    settings = {**ADMIN, "audit_forbidden_users": ("auditor",)}
    with serving(shared_store, **settings) as client:
        unauthenticated = client.get(AUDIT_URL, params=AUDIT_PAGE)
        allowed = client.get(AUDIT_URL, params=AUDIT_PAGE, headers=BASIC_ADMIN)
    assert unauthenticated.status_code == 401
    assert allowed.status_code == 200


def test_a_keyset_pull_of_sys_audit_rebuilds_every_version_inserted_in_its_range(shared_store):
    start, end = DAY, DAY + timedelta(days=3)
    with serving(shared_store) as client:
        pulled = pull(client, start, end, paging=AUDIT, limit=500)
    rows = pulled.rows
    assert pulled.keys == _audit_keys(rows) == _audit_keys(shared_store.audit_between(start, end))
    assert all(set(r) == set(AUDIT_COLUMNS) for r in rows)
    assert all(isinstance(v, str) for r in rows for v in r.values())
    versions = inserted_within(shared_store.versions_between(start, end), start)
    inserted = {v["sys_id"] for v in versions}
    assert assert_audit_rebuilds([r for r in rows if r["documentkey"] in inserted], versions) > 500


@pytest.mark.parametrize("display", ["false", "true", "all"])
def test_audit_fields_are_plain_strings_whatever_the_display_mode(shared_store, display):
    params = {**AUDIT_PAGE, "sysparm_display_value": display, "sysparm_fields": "fieldname,user"}
    with serving(shared_store) as client:
        records = client.get(AUDIT_URL, params=params).json()["result"]
    truth = shared_store.audit_between(DAY, NEXT_DAY)[:5]
    expected = [{"fieldname": r["fieldname"], "user": r["user"]} for r in truth]
    if display == "all":
        expected = [{k: {"display_value": v, "value": v} for k, v in e.items()} for e in expected]
    assert records == expected


def test_audit_headers_count_the_rows_and_link_to_the_table(shared_store):
    total = len(shared_store.audit_between(DAY, NEXT_DAY))
    with serving(shared_store) as client:
        response = client.get(AUDIT_URL, params={**AUDIT_PAGE, "sysparm_offset": 5})
    assert int(response.headers["X-Total-Count"]) == total > 100
    links = {rel: httpx.URL(link["url"]) for rel, link in response.links.items()}
    assert set(links) == {"first", "prev", "next", "last"}
    assert all(url.path == AUDIT_URL for url in links.values())


def test_audit_queries_filter_on_any_field(shared_store):
    trail = shared_store.audit_between(DAY, NEXT_DAY)
    documentkey = trail[len(trail) // 2]["documentkey"]
    window = window_query(DAY, NEXT_DAY, paging=AUDIT).split("^ORDERBY")[0]
    query = f"{window}^documentkey={documentkey}^ORDERBYDESCsys_created_on"
    with serving(shared_store) as client:
        rows = client.get(AUDIT_URL, params={"sysparm_query": query}).json()["result"]
        unknown = client.get(AUDIT_URL, params={"sysparm_query": "state=2"})
    assert rows
    assert {r["documentkey"] for r in rows} == {documentkey}
    assert [r["sys_created_on"] for r in rows] == sorted(
        (r["sys_created_on"] for r in rows), reverse=True
    )
    assert unknown.status_code == 400


def test_deleted_incidents_leave_incident_for_sys_audit_delete():
    store = synthetic_store(20, deleted_share=0.2)
    start, end = DAY - timedelta(days=2), NOW
    with serving(store) as client:
        deletions = pull(client, start, end, paging=DELETIONS).rows
        incidents = pull(client, store.earliest(), end, paging=INCIDENT, limit=1000).rows
    assert deletions == store.deletions_between(start, end)
    assert len(deletions) > 30
    assert all(set(d) == set(DELETE_COLUMNS) for d in deletions)
    deleted = {d["documentkey"] for d in deletions}
    served = {r["sys_id"] for r in incidents}
    assert not deleted & served
    audited = {r["documentkey"] for r in store.audit_between(store.earliest(), end)}
    assert deleted <= audited


def test_page_faults_apply_to_the_audit_but_updates_while_paging_do_not():
    store = synthetic_store(20)
    versions = store.versions_between(DAY, NEXT_DAY)
    faults = FaultSettings(
        seed=2, duplicate_row_rate=0.5, short_page_rate=0.5, update_during_paging_rate=1.0
    )
    with serving(store, faults=faults) as client:
        pulled = pull(client, DAY, NEXT_DAY, paging=AUDIT, limit=20)
    assert len(pulled.rows) > len(pulled.keys)
    assert any(len(page) < 20 for page in pulled.pages[:-1])
    assert pulled.keys == _audit_keys(store.audit_between(DAY, NEXT_DAY))
    assert store.versions_between(DAY, NEXT_DAY) == versions
