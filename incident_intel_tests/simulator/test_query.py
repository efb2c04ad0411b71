from __future__ import annotations

import pytest

from incident_intel.simulator.canonical import columns
from incident_intel.simulator.query import (
    UPDATED_ON,
    QueryError,
    order,
    parse_query,
    predicate,
    time_range,
)
from incident_intel.simulator.render import api_fields

FIELDS = api_fields()
WINDOW = "sys_updated_on>=2026-01-05 00:00:00^sys_updated_on<2026-01-06 00:00:00"
KEYSET = (
    f"{WINDOW}^sys_updated_on>2026-01-05 10:00:00"
    f"^NQ{WINDOW}^sys_updated_on=2026-01-05 10:00:00^sys_id>b"
    "^ORDERBYsys_updated_on^ORDERBYsys_id"
)


def version(updated: str, sys_id: str, **fields: str | None) -> dict[str, str | None]:
    row: dict[str, str | None] = dict.fromkeys(columns())
    row.update(sys_updated_on=updated, sys_id=sys_id, state="In Progress", priority="3")
    row.update(fields)
    return row


def test_parses_the_clients_keyset_query():
    query = parse_query(KEYSET, FIELDS)
    assert len(query.branches) == 2
    assert query.order_by == (("sys_updated_on", False), ("sys_id", False))
    assert [c.op for (c,) in query.branches[1]] == [">=", "<", "=", ">"]


@pytest.mark.parametrize(
    ("updated", "sys_id", "matches"),
    [
        ("2026-01-05 10:00:00", "a", False),
        ("2026-01-05 10:00:00", "b", False),
        ("2026-01-05 10:00:00", "c", True),
        ("2026-01-05 10:00:01", "a", True),
        ("2026-01-05 09:59:59", "z", False),
        ("2026-01-06 00:00:00", "z", False),
    ],
)
def test_keyset_query_selects_rows_strictly_after_the_key(updated, sys_id, matches):
    test = predicate(parse_query(KEYSET, FIELDS), FIELDS)
    assert test(version(updated, sys_id)) is matches


def test_updated_range_spans_every_branch():
    assert time_range(parse_query(KEYSET, FIELDS), UPDATED_ON) == (
        "2026-01-05 10:00:00",
        "2026-01-06 00:00:00",
    )
    assert time_range(parse_query("sys_updated_on<=2026-01-05 10:00:00", FIELDS), UPDATED_ON) == (
        None,
        "2026-01-05 10:00:01",
    )
    assert time_range(parse_query("state=2", FIELDS), UPDATED_ON) == (None, None)


def test_fields_compare_on_api_values_and_or_terms():
    query = parse_query("state=6^ORstate=7^priority<3", FIELDS)
    test = predicate(query, FIELDS)
    assert test(version("2026-01-05 10:00:00", "a", state="Resolved", priority="2"))
    assert test(version("2026-01-05 10:00:00", "a", state="Closed", priority="1"))
    assert not test(version("2026-01-05 10:00:00", "a", state="In Progress", priority="1"))
    assert not test(version("2026-01-05 10:00:00", "a", state="Resolved", priority="3"))
    assert predicate(parse_query("caller_id!=x", FIELDS), FIELDS)(version("t", "a", caller="y"))
    assert predicate(parse_query("sys_mod_count>9", FIELDS), FIELDS)(
        version("t", "a", sys_mod_count="10")
    )


def test_an_empty_query_matches_everything_and_an_empty_branch_nothing_more():
    assert predicate(parse_query("", FIELDS), FIELDS)(version("t", "a"))
    assert predicate(parse_query("ORDERBYsys_id", FIELDS), FIELDS)(version("t", "a"))
    assert not predicate(parse_query("state=1^NQ", FIELDS), FIELDS)(version("t", "a"))


def test_orders_by_each_key_in_turn():
    rows = [
        version("2026-01-05 10:00:00", "a", priority="3"),
        version("2026-01-05 11:00:00", "b", priority="1"),
        version("2026-01-05 12:00:00", "c", priority="3"),
        version("2026-01-05 13:00:00", "d", priority="10"),
    ]
    ordered = order(
        rows, parse_query("ORDERBYpriority^ORDERBYDESCsys_updated_on", FIELDS), FIELDS, UPDATED_ON
    )
    assert [r["sys_id"] for r in ordered] == ["b", "c", "a", "d"]
    default = parse_query("ORDERBYsys_updated_on^ORDERBYsys_id", FIELDS)
    assert order(rows, default, FIELDS, UPDATED_ON) is rows


@pytest.mark.parametrize(
    "text",
    [
        "bad query",
        "nosuchfield=1",
        "sys_updated_on>yesterday",
        "ORstate=2",
        "ORDERBYnosuchfield",
        "state~2",
    ],
)
def test_unparseable_queries_are_refused(text):
    with pytest.raises(QueryError):
        parse_query(text, FIELDS)


@pytest.mark.parametrize(
    "value",
    [
        "9999-12-31 23:59:59",  # a bound one second later is no date-time
        "0001-01-01 00:00:00",  # years before 1000 do not sort as text
        "0999-12-31",
    ],
)
@pytest.mark.parametrize("op", ["=", ">", ">=", "<", "<="])
def test_timestamps_at_the_calendars_edge_are_refused_by_value(op, value):
    with pytest.raises(QueryError, match=value):
        parse_query(f"sys_updated_on{op}{value}", FIELDS)


@pytest.mark.parametrize("op", ["=", ">", ">=", "<", "<="])
def test_the_widest_timestamps_accepted_still_bound_a_range(op):
    for value in ("1000-01-01 00:00:00", "9999-12-31 23:59:58"):
        assert time_range(parse_query(f"sys_updated_on{op}{value}", FIELDS), UPDATED_ON) != (
            None,
            None,
        )


def test_a_digit_that_is_not_decimal_compares_and_sorts_as_text():
    test = predicate(parse_query("sys_mod_count>²", FIELDS), FIELDS)
    assert test(version("t", "a", sys_mod_count="3")) is False
    rows = [version("t", "a", sys_mod_count="²"), version("t", "b", sys_mod_count="3")]
    ordered = order(rows, parse_query("ORDERBYsys_mod_count", FIELDS), FIELDS, UPDATED_ON)
    assert [r["sys_id"] for r in ordered] == ["b", "a"]
