"""ServiceNow encoded queries (`sysparm_query`): parsing, filtering and ordering.

Rows are records of any table served, as dicts of strings. Each table has a time field (the
`sys_updated_on` of `incident`, the `sys_created_on` of the audit tables): its rows come sorted by
(time field, sys_id), and windows on it bound what the server needs to fetch.

Grammar: sub-queries joined by `^NQ` are OR-ed whole; inside one, terms joined by `^` are AND-ed
and a term prefixed `OR` is OR-ed with the term before it. A term is `<field><op><value>` with
op one of = != > >= < <=, or `ORDERBY<field>` / `ORDERBYDESC<field>`.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_intel.simulator.canonical import TIMESTAMP_FORMAT, Version
from incident_intel.simulator.render import ApiField

UPDATED_ON = "sys_updated_on"
_TERM = re.compile(r"([a-z_][a-z0-9_]*)(>=|<=|!=|=|>|<)(.*)", re.DOTALL)
_FIELD = re.compile(r"[a-z_][a-z0-9_]*")
_COMPARE = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
_DATE_FORMATS = (TIMESTAMP_FORMAT, "%Y-%m-%d")
# Date-times compare as text, which orders them only with four-digit years (strftime does not
# pad earlier ones on every platform), and a bound may move one second later.
EARLIEST = datetime(1000, 1, 1)
LATEST = datetime.max.replace(microsecond=0) - timedelta(seconds=1)


class QueryError(ValueError):
    """The encoded query cannot be understood."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str


Branch = tuple[tuple[Condition, ...], ...]  # AND of OR-groups


@dataclass(frozen=True)
class EncodedQuery:
    branches: tuple[Branch, ...]  # OR of branches
    order_by: tuple[tuple[str, bool], ...]  # (field, descending)


def _parse_datetime(value: str) -> datetime:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise QueryError(f"'{value}' is not a date-time of the form YYYY-MM-DD HH:MM:SS")


def _timestamp(value: str) -> str:
    moment = _parse_datetime(value)
    if not EARLIEST <= moment <= LATEST:
        raise QueryError(
            f"'{value}' is out of range: date-times must lie between "
            f"{EARLIEST:{TIMESTAMP_FORMAT}} and {LATEST:{TIMESTAMP_FORMAT}}"
        )
    return moment.strftime(TIMESTAMP_FORMAT)


def _condition(term: str, fields: dict[str, ApiField]) -> Condition:
    match = _TERM.fullmatch(term)
    if not match:
        raise QueryError(f"cannot parse the query term '{term}'")
    name, op, value = match.groups()
    if name not in fields:
        raise QueryError(f"unknown field '{name}' in the query term '{term}'")
    if fields[name].type == "datetime":
        value = _timestamp(value)
    return Condition(name, op, value)


def _order(term: str, fields: dict[str, ApiField]) -> tuple[str, bool]:
    descending = term.startswith("ORDERBYDESC")
    name = term[len("ORDERBYDESC") if descending else len("ORDERBY") :]
    if not _FIELD.fullmatch(name) or name not in fields:
        raise QueryError(f"cannot order by '{name}'")
    return name, descending


def parse_query(text: str, fields: dict[str, ApiField]) -> EncodedQuery:
    branches: list[Branch] = []
    order_by: list[tuple[str, bool]] = []
    for branch_text in text.split("^NQ"):
        groups: list[list[Condition]] = []
        for term in branch_text.split("^"):
            if term in ("", "EQ"):
                continue
            if term.startswith("ORDERBY"):
                order_by.append(_order(term, fields))
            elif term.startswith("OR"):
                if not groups:
                    raise QueryError(f"'{term}' has no term before it to be OR-ed with")
                groups[-1].append(_condition(term[2:], fields))
            else:
                groups.append([_condition(term, fields)])
        if groups:
            branches.append(tuple(tuple(g) for g in groups))
    # No condition at all matches everything; an empty ^NQ branch adds nothing.
    return EncodedQuery(tuple(branches) or ((),), tuple(order_by))


def _key(field: ApiField) -> Callable[[Version], object]:
    value = field.reader()
    if field.type != "int":
        return value
    # Numbers sort numerically, and bad values after them rather than breaking the sort.
    # isdecimal, here and below, not isdigit: int() refuses some digits isdigit accepts ("²").
    return lambda v: (0, int(s), "") if (s := value(v)).isdecimal() else (1, 0, s)


def default_order(time_field: str) -> tuple[tuple[str, bool], ...]:
    """The order rows of a table with this time field are held in."""
    return (time_field, False), ("sys_id", False)


def matcher(condition: Condition, fields: dict[str, ApiField]) -> Callable[[Version], bool]:
    """A test of whether a row meets one condition."""
    field = fields[condition.field]
    compare = _COMPARE[condition.op]
    expected: str | int = condition.value
    value = field.reader()
    if field.type == "int" and condition.value.isdecimal():
        expected = int(condition.value)
        return lambda v: (s := value(v)).isdecimal() and compare(int(s), expected)
    return lambda v: compare(value(v), expected)


def predicate(query: EncodedQuery, fields: dict[str, ApiField]) -> Callable[[Version], bool]:
    """A test of whether a version matches the query."""
    compiled = [
        [[matcher(c, fields) for c in group] for group in branch] for branch in query.branches
    ]
    return lambda v: any(
        all(any(test(v) for test in group) for group in branch) for branch in compiled
    )


def _shift(timestamp: str, seconds: int) -> str:
    moment = datetime.strptime(timestamp, TIMESTAMP_FORMAT) + timedelta(seconds=seconds)
    return moment.strftime(TIMESTAMP_FORMAT)


def _branch_range(branch: Branch, time_field: str) -> tuple[str | None, str | None]:
    low: str | None = None
    high: str | None = None
    for group in branch:
        if len(group) != 1 or group[0].field != time_field:
            continue
        op, value = group[0].op, group[0].value
        if op in (">=", "=", ">"):
            bound = _shift(value, 1) if op == ">" else value
            low = bound if low is None else max(low, bound)
        if op in ("<", "=", "<="):
            bound = value if op == "<" else _shift(value, 1)
            high = bound if high is None else min(high, bound)
    return low, high


def time_range(query: EncodedQuery, time_field: str) -> tuple[str | None, str | None]:
    """Bounds [low, high) on the time field implied by the query; None where unbounded.

    Lets the server fetch only the rows that can match before testing each one.
    """
    ranges = [_branch_range(b, time_field) for b in query.branches]
    lows = [low for low, _ in ranges]
    highs = [high for _, high in ranges]
    low = None if None in lows else min(lows)  # type: ignore[type-var]
    high = None if None in highs else max(highs)  # type: ignore[type-var]
    return low, high


def order(
    rows: list[Version], query: EncodedQuery, fields: dict[str, ApiField], time_field: str
) -> list[Version]:
    """Rows in the query's order; they arrive in the default order already."""
    wanted = query.order_by
    if not wanted or wanted == default_order(time_field)[: len(wanted)]:
        return rows
    result = list(rows)
    for name, descending in reversed(wanted):
        result.sort(key=_key(fields[name]), reverse=descending)
    return result
