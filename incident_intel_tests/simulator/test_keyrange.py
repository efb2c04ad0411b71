from __future__ import annotations

import random

import pytest

from incident_intel.simulator.keyrange import select_key_ranges
from incident_intel.simulator.query import parse_query, predicate
from incident_intel.simulator.tables import tables
from incident_intel_tests.simulator.support import DAY, NEXT_DAY

INCIDENT = tables()["incident"]
AUDIT = tables()["sys_audit"]
WINDOW = "sys_updated_on>=2026-01-05 00:00:00^sys_updated_on<2026-01-06 00:00:00"
AUDIT_WINDOW = (
    "tablename=incident^sys_created_on>=2026-01-05 00:00:00^sys_created_on<2026-01-06 00:00:00"
)


@pytest.fixture(scope="module")
def versions(shared_store):
    return shared_store.versions_between(DAY.replace(hour=6), NEXT_DAY.replace(hour=6))


@pytest.fixture(scope="module")
def audit(shared_store):
    return shared_store.audit_between(DAY.replace(hour=6), NEXT_DAY.replace(hour=6))


def _queries(rows, time_field: str, window: str) -> list[str]:
    rand = random.Random(0)
    picks = [rows[0], rows[-1], *rand.sample(rows, 8)]
    order = f"^ORDERBY{time_field}^ORDERBYsys_id"
    queries = [window, "", f"ORDERBY{time_field}", f"{time_field}=2026-01-05 09:00:00"]
    for row in picks:
        t, sid = row[time_field], row["sys_id"]
        queries += [
            f"{window}^{time_field}>{t}^NQ{window}^{time_field}={t}^sys_id>{sid}{order}",
            f"{time_field}<={t}^{time_field}>=2026-01-05 12:00:00",
            f"{time_field}={t}^sys_id>={sid}^NQ{time_field}={t}^sys_id<{sid}",
            f"{time_field}={t}^sys_id={sid}^NQ{window}^{time_field}<{t}",
            f"{time_field}={t}^sys_id<={sid}",
        ]
    return queries


def _check(table, rows, texts):
    for text in texts:
        query = parse_query(text, table.fields)
        test = predicate(query, table.fields)
        selected = select_key_ranges(rows, query, table.time_field, table.fields)
        expected = [r for r in rows if test(r)]
        assert selected == expected, text


def test_key_ranges_match_the_row_by_row_predicate(versions):
    _check(INCIDENT, versions, _queries(versions, "sys_updated_on", WINDOW))
    _check(INCIDENT, versions, ["state=2", f"{WINDOW}^state=2^NQ{WINDOW}^priority=3"])


def test_audit_key_ranges_with_equality_filters_match_the_predicate(audit):
    texts = _queries(audit, "sys_created_on", AUDIT_WINDOW)
    texts += [
        "tablename=incident",
        "tablename=problem",
        f"{AUDIT_WINDOW}^fieldname=state^NQ{AUDIT_WINDOW}^sys_created_on>2026-01-05 20:00:00",
        f"{AUDIT_WINDOW}^sys_created_on>2026-01-05 20:00:00^NQ{AUDIT_WINDOW}^fieldname=state",
        f"{AUDIT_WINDOW}^record_checkpoint=2",
        f"{AUDIT_WINDOW}^fieldname=state^NQ{AUDIT_WINDOW}^fieldname=priority",
        f"{AUDIT_WINDOW}^fieldname=state^NQ{AUDIT_WINDOW}",
        f"documentkey={audit[3]['documentkey']}",
    ]
    _check(AUDIT, audit, texts)


def test_a_keyset_page_of_sys_audit_is_a_key_range(audit):
    row = audit[len(audit) // 2]
    t, sid = row["sys_created_on"], row["sys_id"]
    text = (
        f"{AUDIT_WINDOW}^sys_created_on>{t}^NQ{AUDIT_WINDOW}^sys_created_on={t}^sys_id>{sid}"
        "^ORDERBYsys_created_on^ORDERBYsys_id"
    )
    query = parse_query(text, AUDIT.fields)
    selected = select_key_ranges(audit, query, AUDIT.time_field, AUDIT.fields)
    after = audit[audit.index(row) + 1 :]
    assert selected == [r for r in after if r["sys_created_on"] < "2026-01-06 00:00:00"]
    assert len(selected) > 100


@pytest.mark.parametrize(
    "text",
    [
        "sys_id>abc",
        "state!=2",
        f"{WINDOW}^sys_updated_on!=2026-01-05 10:00:00",
        "sys_updated_on>=2026-01-05 10:00:00^ORsys_id=abc",
        "state=2^ORstate=3",
        f"{WINDOW}^ORDERBYDESCsys_updated_on",
        f"{WINDOW}^ORDERBYnumber",
    ],
)
def test_other_queries_fall_back_to_testing_rows(versions, text):
    query = parse_query(text, INCIDENT.fields)
    assert select_key_ranges(versions, query, INCIDENT.time_field, INCIDENT.fields) is None
