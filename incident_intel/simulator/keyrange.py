"""Answers queries that are ranges of the sort key by bisection instead of testing every row.

A keyset client asks "window, and after (time, sys_id)" for every page; testing each row of the
window against it makes a pull quadratic in the window's size. A branch made of bounds on the
table's time field, and on sys_id once the time is pinned with `=`, is one contiguous slice of
rows sorted by (time, sys_id); a query is a union of them. A branch may also test other fields
for equality (`tablename=incident`): those tests then filter its slice.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from itertools import pairwise

from incident_intel.simulator.canonical import Version
from incident_intel.simulator.query import Branch, EncodedQuery, default_order, matcher
from incident_intel.simulator.render import ApiField

# Sorts after every sys_id; a string followed by "\0" is the next string after it.
_TOP = "\U0010ffff"
Key = tuple[str, ...]
Test = Callable[[Version], bool]


def _all(tests: list[Test]) -> Test | None:
    """A test that all of `tests` pass; None for no test at all. A lone test is returned as it
    is: a page can filter tens of thousands of rows, and each wrapping call costs."""
    if len(tests) <= 1:
        return tests[0] if tests else None
    return lambda row: all(test(row) for test in tests)


def _any(tests: list[Test]) -> Test:
    """A test that one of `tests` passes; a lone test as it is, as in `_all`."""
    return tests[0] if len(tests) == 1 else lambda row: any(test(row) for test in tests)


def _branch_bounds(
    branch: Branch, time_field: str, fields: dict[str, ApiField]
) -> tuple[Key, Key, Test | None] | None:
    """[low, high) keys of a branch's rows and the test filtering them; None if not a key range."""
    conditions = [group[0] for group in branch if len(group) == 1]
    if len(conditions) != len(branch):
        return None
    pinned = {c.value for c in conditions if c.field == time_field and c.op == "="}
    lows: list[Key] = [()]
    highs: list[Key] = [(_TOP,)]
    tests: list[Test] = []
    for c in conditions:
        if c.field == time_field:
            v = c.value
            low = {">=": (v,), ">": (v, _TOP), "=": (v,)}.get(c.op)
            high = {"<": (v,), "<=": (v, _TOP), "=": (v, _TOP)}.get(c.op)
        elif c.field == "sys_id" and len(pinned) == 1:
            (v,) = pinned
            x = c.value
            low = {">=": (v, x), ">": (v, x + "\0"), "=": (v, x)}.get(c.op)
            high = {"<": (v, x), "<=": (v, x + "\0"), "=": (v, x + "\0")}.get(c.op)
        elif c.op == "=":
            tests.append(matcher(c, fields))
            continue
        else:
            return None
        if low is None and high is None:
            return None
        lows += [low] if low else []
        highs += [high] if high else []
    return max(lows), min(highs), _all(tests)


def select_key_ranges(
    rows: list[Version], query: EncodedQuery, time_field: str, fields: dict[str, ApiField]
) -> list[Version] | None:
    """The rows (sorted by key) that match the query, or None if it is not a key range."""
    if query.order_by != default_order(time_field)[: len(query.order_by)]:
        return None
    bounds = [_branch_bounds(b, time_field, fields) for b in query.branches]
    if any(b is None for b in bounds):
        return None

    def key(row: Version) -> tuple[str, str]:
        return row[time_field] or "", row["sys_id"] or ""

    spans = [
        (bisect_left(rows, low, key=key), bisect_left(rows, high, key=key), test)
        for low, high, test in bounds  # type: ignore[misc]
    ]
    # Between consecutive span edges the same branches apply: all of the rows if one of them
    # is unfiltered, else those that one of their tests keeps.
    edges = sorted({edge for start, stop, _ in spans for edge in (start, stop)})
    selected: list[Version] = []
    for low, high in pairwise(edges):
        applying = [test for start, stop, test in spans if start <= low and high <= stop]
        if None in applying:
            selected.extend(rows[low:high])
        elif applying:
            selected.extend(filter(_any(applying), rows[low:high]))  # type: ignore[arg-type]
    return selected
