"""Answers queries that are ranges of the sort key by bisection instead of testing every row.

A keyset client asks "window, and after (sys_updated_on, sys_id)" for every page; testing each
version of the window against it makes a pull quadratic in the window's size. A branch made of
bounds on sys_updated_on, and on sys_id once sys_updated_on is pinned with `=`, is one
contiguous slice of versions sorted by (sys_updated_on, sys_id); a query is a union of them.
"""

from __future__ import annotations

from bisect import bisect_left

from incident_intel.simulator.canonical import Version, sort_key
from incident_intel.simulator.query import DEFAULT_ORDER, UPDATED_ON, Branch, EncodedQuery

# Sorts after every sys_id; a string followed by "\0" is the next string after it.
_TOP = "\U0010ffff"
Key = tuple[str, ...]


def _branch_bounds(branch: Branch) -> tuple[Key, Key] | None:
    """[low, high) keys of the versions a branch matches, or None if it is not a key range."""
    conditions = [group[0] for group in branch if len(group) == 1]
    if len(conditions) != len(branch):
        return None
    pinned = {c.value for c in conditions if c.field == UPDATED_ON and c.op == "="}
    lows: list[Key] = [()]
    highs: list[Key] = [(_TOP,)]
    for c in conditions:
        if c.field == UPDATED_ON:
            v = c.value
            low = {">=": (v,), ">": (v, _TOP), "=": (v,)}.get(c.op)
            high = {"<": (v,), "<=": (v, _TOP), "=": (v, _TOP)}.get(c.op)
        elif c.field == "sys_id" and len(pinned) == 1:
            (v,) = pinned
            x = c.value
            low = {">=": (v, x), ">": (v, x + "\0"), "=": (v, x)}.get(c.op)
            high = {"<": (v, x), "<=": (v, x + "\0"), "=": (v, x + "\0")}.get(c.op)
        else:
            return None
        if low is None and high is None:
            return None
        lows += [low] if low else []
        highs += [high] if high else []
    return max(lows), min(highs)


def select_key_ranges(versions: list[Version], query: EncodedQuery) -> list[Version] | None:
    """The versions (sorted by key) that match the query, or None if it is not a key range."""
    if query.order_by != DEFAULT_ORDER[: len(query.order_by)]:
        return None
    bounds = [_branch_bounds(b) for b in query.branches]
    if any(b is None for b in bounds):
        return None
    spans = sorted(
        (bisect_left(versions, low, key=sort_key), bisect_left(versions, high, key=sort_key))
        for low, high in bounds  # type: ignore[misc]
    )
    rows: list[Version] = []
    end = 0
    for start, stop in spans:
        start = max(start, end)
        if stop > start:
            rows.extend(versions[start:stop])
            end = stop
    return rows
