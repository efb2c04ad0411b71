from __future__ import annotations

import random

import pytest

from incident_intel.simulator.keyrange import select_key_ranges
from incident_intel.simulator.query import parse_query, predicate
from incident_intel.simulator.render import api_fields
from incident_intel_tests.simulator.support import DAY, NEXT_DAY

FIELDS = api_fields()
WINDOW = "sys_updated_on>=2026-01-05 00:00:00^sys_updated_on<2026-01-06 00:00:00"


@pytest.fixture(scope="module")
def versions(shared_store):
    return shared_store.versions_between(DAY.replace(hour=6), NEXT_DAY.replace(hour=6))


def _queries(versions) -> list[str]:
    rand = random.Random(0)
    picks = [versions[0], versions[-1], *rand.sample(versions, 8)]
    queries = [WINDOW, "", "ORDERBYsys_updated_on", "sys_updated_on=2026-01-05 09:00:00"]
    for v in picks:
        t, sid = v["sys_updated_on"], v["sys_id"]
        queries += [
            f"{WINDOW}^sys_updated_on>{t}^NQ{WINDOW}^sys_updated_on={t}^sys_id>{sid}"
            "^ORDERBYsys_updated_on^ORDERBYsys_id",
            f"sys_updated_on<={t}^sys_updated_on>=2026-01-05 12:00:00",
            f"sys_updated_on={t}^sys_id>={sid}^NQsys_updated_on={t}^sys_id<{sid}",
            f"sys_updated_on={t}^sys_id={sid}^NQ{WINDOW}^sys_updated_on<{t}",
            f"sys_updated_on={t}^sys_id<={sid}",
        ]
    return queries


def test_key_ranges_match_the_row_by_row_predicate(versions):
    for text in _queries(versions):
        query = parse_query(text, FIELDS)
        test = predicate(query, FIELDS)
        assert select_key_ranges(versions, query) == [v for v in versions if test(v)], text


@pytest.mark.parametrize(
    "text",
    [
        "state=2",
        "sys_id>abc",
        f"{WINDOW}^sys_updated_on!=2026-01-05 10:00:00",
        "sys_updated_on>=2026-01-05 10:00:00^ORsys_id=abc",
        f"{WINDOW}^ORDERBYDESCsys_updated_on",
        f"{WINDOW}^ORDERBYnumber",
    ],
)
def test_other_queries_fall_back_to_testing_rows(versions, text):
    assert select_key_ranges(versions, parse_query(text, FIELDS)) is None
