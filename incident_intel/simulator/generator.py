"""Seeded synthetic incidents, generated one opening day at a time.

A day's incidents depend only on (seed, day), through `np.random.default_rng([seed, ordinal])`,
so any window reads the same data whatever range was asked before. Volume follows a Poisson law
with weekday seasonality and a business-hours profile; every draw is vectorised except the text.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from functools import cache

import numpy as np
import polars as pl

from incident_intel.simulator import catalog, outcomes, routing, subcategories, text, users
from incident_intel.simulator.canonical import conform, typed_schema
from incident_intel.simulator.lifecycle import NONE, RESOLVED_SLOTS, SLOT_STATES, Plan, expand

NUMBER_EPOCH = date(2020, 1, 1)
# Every version falls within this many days of the opening: resolution (at most 20 days), a
# reopening (2) and its resolution (3), then closure (3) add up to less.
MAX_LIFETIME_DAYS = 30
WEEKEND_SHARE = 0.4
# Weekday mean such that a week averages `incidents_per_day` per day.
WEEKDAY_SCALE = 7 / (5 + 2 * WEEKEND_SHARE)
# Relative incident volume by hour of day (UTC): a business-hours peak with a lunch dip.
HOURLY_WEEKDAY = np.array(
    [
        [0.3, 0.2, 0.2, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 7.0, 7.5, 7.0],  # 00-11
        [5.5, 6.5, 7.0, 6.5, 5.5, 4.0, 2.5, 1.5, 1.0, 0.8, 0.6, 0.4],  # 12-23
    ]
).ravel()
HOURLY_WEEKEND = np.array(
    [
        [0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 0.8, 1.0, 1.4, 1.8, 2.0, 2.0],
        [1.9, 1.9, 1.9, 1.8, 1.6, 1.4, 1.2, 1.1, 1.0, 0.9, 0.8, 0.7],
    ]
).ravel()
IMPACT_P = np.array([0.08, 0.3, 0.62])
URGENCY_P = np.array([0.1, 0.32, 0.58])
# Security and network incidents are escalated a level more often.
ESCALATED_CATEGORIES = ("security", "network")
ESCALATION_RATE = 0.3
NO_CI_RATE = 0.15
HOLD_RATE = 0.18
HOLD_PRONE_CATEGORIES = ("hardware", "access")
HOLD_PRONE_RATE = 0.3
REOPEN_RATE = 0.05
CANCEL_RATE = 0.015
# Callers describe symptoms, not causes: this share of texts reads like another subcategory,
# while the category, group and CI follow the real one, as an agent later finds it.
MISLEADING_TEXT_RATE = 0.12
HOUR = 3600
DAY = 24 * HOUR

_SUBS = subcategories.SUBCATEGORIES
_SUB_CATEGORY = np.array([subcategories.CATEGORIES.index(s.category) for s in _SUBS])
_SUB_P = np.array(
    [
        subcategories.CATEGORY_WEIGHTS[s.category] / sum(t.category == s.category for t in _SUBS)
        for s in _SUBS
    ]
)
_CIS = tuple(dict.fromkeys(ci for s in _SUBS for ci in s.cis))
_SUB_CI_COUNT = np.array([len(s.cis) for s in _SUBS])
_SUB_CI_OFFSET = np.concatenate([[0], np.cumsum(_SUB_CI_COUNT)[:-1]])
_SUB_CI_INDEX = np.array([_CIS.index(ci) for s in _SUBS for ci in s.cis])


def expected_incidents(day: date, incidents_per_day: float) -> float:
    weekend = day.weekday() >= 5
    return incidents_per_day * WEEKDAY_SCALE * (WEEKEND_SHARE if weekend else 1.0)


def _opened(rng: np.random.Generator, day: date, n: int) -> np.ndarray:
    profile = HOURLY_WEEKEND if day.weekday() >= 5 else HOURLY_WEEKDAY
    hours = rng.choice(24, n, p=profile / profile.sum())
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    return np.sort(start + hours * HOUR + rng.integers(0, HOUR, n))


def _severity(rng: np.random.Generator, category: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(category)
    impact = rng.choice(3, n, p=IMPACT_P) + 1
    urgency = rng.choice(3, n, p=URGENCY_P) + 1
    escalated = np.isin(category, [subcategories.CATEGORIES.index(c) for c in ESCALATED_CATEGORIES])
    bump = escalated & (rng.random(n) < ESCALATION_RATE)
    return np.maximum(impact - bump, 1), np.maximum(urgency - bump, 1)


def _ci(rng: np.random.Generator, sub: np.ndarray) -> np.ndarray:
    counts = _SUB_CI_COUNT[sub]
    pick = _SUB_CI_OFFSET[sub] + (rng.random(len(sub)) * counts).astype(np.int64)
    has_ci = (counts > 0) & (rng.random(len(sub)) >= NO_CI_RATE)
    return np.where(has_ci, _SUB_CI_INDEX[np.minimum(pick, len(_SUB_CI_INDEX) - 1)], NONE)


def _plan(rng: np.random.Generator, day: date, n: int) -> tuple[Plan, dict[str, np.ndarray]]:
    opened = _opened(rng, day, n)
    sub = rng.choice(len(_SUBS), n, p=_SUB_P / _SUB_P.sum())
    category = _SUB_CATEGORY[sub]
    impact, urgency = _severity(rng, category)
    priorities = outcomes.priority(impact, urgency)
    contact = rng.choice(len(catalog.CONTACT_TYPES), n, p=catalog.CONTACT_WEIGHTS)
    inquiry = category == subcategories.CATEGORIES.index("inquiry")
    monitoring = catalog.CONTACT_TYPES.index("monitoring")
    # Monitoring raises no inquiries: those come by phone instead.
    contact = np.where(inquiry & (contact == monitoring), 0, contact)
    caller = rng.integers(0, users.N_CALLERS, n)
    ci = _ci(rng, sub)
    groups, reassignments = routing.draw_groups(rng, sub)
    members = rng.integers(0, users.MEMBERS_PER_GROUP, (n, 3))
    # `people()` lists the callers, then each group's members in group order.
    assignees = users.N_CALLERS + groups * users.MEMBERS_PER_GROUP + members
    prone = np.isin(category, [subcategories.CATEGORIES.index(c) for c in HOLD_PRONE_CATEGORIES])
    on_hold = rng.random(n) < np.where(prone, HOLD_PRONE_RATE, HOLD_RATE)
    canceled = rng.random(n) < CANCEL_RATE
    reopened = (rng.random(n) < REOPEN_RATE) & ~canceled
    ttr = outcomes.time_to_resolve_seconds(
        rng,
        category=category,
        group=groups[:, 2],
        priorities=priorities,
        reassignments=reassignments,
        opened_hour=(opened % DAY) // HOUR,
        weekend=day.weekday() >= 5,
        on_hold=on_hold,
        load=outcomes.group_load(rng),
    )
    plan = Plan(
        opened=opened,
        respond=np.minimum(60 + rng.exponential(20 * 60, n), 0.3 * ttr).astype(np.int64),
        ttr=ttr,
        reopen_gap=rng.integers(2 * HOUR, 48 * HOUR, n),
        ttr_after_reopen=np.clip(4 * HOUR * rng.lognormal(0, 0.8, n), 600, 3 * DAY).astype(
            np.int64
        ),
        close_delay=rng.integers(DAY, 3 * DAY, n),
        cancel_delay=np.clip(rng.exponential(2 * HOUR, n), 60, 3 * DAY).astype(np.int64),
        middle_fractions=np.sort(rng.uniform(0.05, 0.95, (n, 4)), axis=1),
        reassignments=np.where(canceled, 0, reassignments),
        on_hold=on_hold,
        reopened=reopened,
        canceled=canceled,
        groups=groups,
        assignees=assignees,
        sla_due=opened + outcomes.sla_target_seconds(priorities),
    )
    fields = {
        "sub": sub,
        "category": category,
        "impact": impact,
        "urgency": urgency,
        "priority": priorities,
        "contact": contact,
        "caller": caller,
        "ci": ci,
        "close_code": rng.choice(len(catalog.CLOSE_CODES), n, p=catalog.CLOSE_CODE_WEIGHTS),
        "text_sub": np.where(
            rng.random(n) < MISLEADING_TEXT_RATE,
            rng.choice(len(_SUBS), n, p=_SUB_P / _SUB_P.sum()),
            sub,
        ),
    }
    return plan, fields


def _texts(
    rand: random.Random, fields: dict[str, np.ndarray], on_hold: np.ndarray
) -> tuple[list[str], list[str], list[str]]:
    people = users.people()
    shorts, descriptions, notes = [], [], []
    for sub, text_sub, contact, caller, ci, code, priority, hold in zip(
        fields["sub"].tolist(),
        fields["text_sub"].tolist(),
        fields["contact"].tolist(),
        fields["caller"].tolist(),
        fields["ci"].tolist(),
        fields["close_code"].tolist(),
        fields["priority"].tolist(),
        on_hold.tolist(),
        strict=True,
    ):
        subcategory = _SUBS[sub]
        shorts.append(text.short_description(rand, _SUBS[text_sub]))
        descriptions.append(
            text.description(
                rand,
                _SUBS[text_sub],
                people[caller],
                catalog.CONTACT_TYPES[contact],
                _CIS[ci] if ci != NONE else None,
                priority,
                hold,
            )
        )
        notes.append(text.close_notes(rand, subcategory, catalog.CLOSE_CODES[code]))
    return shorts, descriptions, notes


def _lookup(values: list[str], index: np.ndarray) -> pl.Series:
    """values[index], with NONE giving null."""
    series = pl.Series([*values, None], dtype=pl.String)
    return series.gather(np.where(index == NONE, len(values), index))


@cache
def _references() -> dict[str, tuple[list[str], list[str]]]:
    """(sys_ids, display names) of each referenced table, in catalogue order."""
    people = users.people()
    return {
        "group": (
            [catalog.group_sys_id(g) for g in catalog.GROUPS],
            list(catalog.GROUPS),
        ),
        "person": ([users.user_sys_id(p) for p in people], [p.name for p in people]),
        "location": (
            [catalog.location_sys_id(loc) for loc in catalog.LOCATIONS],
            list(catalog.LOCATIONS),
        ),
        "ci": ([catalog.ci_sys_id(ci) for ci in _CIS], list(_CIS)),
    }


@cache
def _home_locations() -> np.ndarray:
    return np.array([p.location for p in users.people()])


def _datetime(name: str) -> pl.Expr:
    column = pl.col(name)
    return (
        pl.when(column != NONE)
        .then(pl.from_epoch(column, time_unit="s"))
        .dt.replace_time_zone("UTC")
        .alias(name)
    )


def generate_day(seed: int, day: date, incidents_per_day: float) -> pl.DataFrame:
    """Every version of the incidents opened on `day`, typed canonical, by incident then time."""
    rng = np.random.default_rng([seed, day.toordinal()])
    n = int(rng.poisson(expected_incidents(day, incidents_per_day)))
    plan, fields = _plan(rng, day, n)
    raw_ids = rng.bytes(16 * n)
    sys_ids = pl.Series([raw_ids[i : i + 16].hex() for i in range(0, 16 * n, 16)], dtype=pl.String)
    shorts, descriptions, notes = _texts(
        random.Random(int(rng.integers(2**62))), fields, plan.on_hold
    )
    versions = expand(plan)
    at = versions.incident
    refs = _references()
    caller_location = _home_locations()[fields["caller"]]
    prefix = f"INC{(day - NUMBER_EPOCH).days:05d}"
    resolved = np.isin(versions.slot, RESOLVED_SLOTS)
    frame = pl.DataFrame(
        {
            "sys_id": sys_ids.gather(at),
            "number": pl.Series([f"{prefix}{i:05d}" for i in range(n)], dtype=pl.String).gather(at),
            "state": pl.Series(SLOT_STATES).gather(versions.slot),
            "opened_at": plan.opened[at],
            "resolved_at": versions.resolved_at,
            "closed_at": versions.closed_at,
            "sys_updated_on": versions.updated,
            # Every version carries the time of the incident's insert, its New version.
            "sys_created_on": plan.opened[at],
            "priority": fields["priority"][at],
            "impact": fields["impact"][at],
            "urgency": fields["urgency"][at],
            "category": _lookup(list(subcategories.CATEGORIES), fields["category"][at]),
            "subcategory": _lookup([s.name for s in _SUBS], fields["sub"][at]),
            "assignment_group": _lookup(refs["group"][0], versions.group),
            "assignment_group_display": _lookup(refs["group"][1], versions.group),
            "assigned_to": _lookup(refs["person"][0], versions.assignee),
            "assigned_to_display": _lookup(refs["person"][1], versions.assignee),
            "caller": _lookup(refs["person"][0], fields["caller"][at]),
            "caller_display": _lookup(refs["person"][1], fields["caller"][at]),
            "contact_type": _lookup(list(catalog.CONTACT_TYPES), fields["contact"][at]),
            "location": _lookup(refs["location"][0], caller_location[at]),
            "location_display": _lookup(refs["location"][1], caller_location[at]),
            "cmdb_ci": _lookup(refs["ci"][0], fields["ci"][at]),
            "cmdb_ci_display": _lookup(refs["ci"][1], fields["ci"][at]),
            "short_description": pl.Series(shorts, dtype=pl.String).gather(at),
            "description": pl.Series(descriptions, dtype=pl.String).gather(at),
            "reassignment_count": versions.reassignment_count,
            "reopen_count": versions.reopen_count,
            "made_sla": versions.made_sla,
            "sla_due": plan.sla_due[at],
            "close_code": _lookup(
                list(catalog.CLOSE_CODES), np.where(resolved, fields["close_code"][at], NONE)
            ),
            "close_notes": _lookup(notes, np.where(resolved, at, NONE)),
            "sys_mod_count": versions.mod_count,
        }
    )
    timestamps = (
        "opened_at",
        "resolved_at",
        "closed_at",
        "sys_updated_on",
        "sys_created_on",
        "sla_due",
    )
    frame = frame.with_columns(_datetime(c) for c in timestamps)
    return conform(frame, typed_schema())
