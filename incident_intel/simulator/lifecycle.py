"""Expands each incident's plan into its versions, each holding the fields as of its update time.

Every incident has the same fixed sequence of possible updates (slots); a mask says which
happen. Working on an (incidents x slots) grid keeps the expansion vectorised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NEW, IN_PROGRESS, REASSIGNED, REASSIGNED_AGAIN, ON_HOLD, RESUMED = range(6)
RESOLVED, REOPENED, RESOLVED_AGAIN, CANCELED, CLOSED = range(6, 11)
SLOT_STATES = (
    "New",
    "In Progress",
    "In Progress",
    "In Progress",
    "On Hold",
    "In Progress",
    "Resolved",
    "In Progress",
    "Resolved",
    "Canceled",
    "Closed",
)
N_SLOTS = len(SLOT_STATES)
RESOLVED_SLOTS = (RESOLVED, RESOLVED_AGAIN, CLOSED)
NONE = -1


@dataclass(frozen=True)
class Plan:
    """What happens to each incident; times are epoch seconds, durations seconds."""

    opened: np.ndarray
    respond: np.ndarray
    ttr: np.ndarray
    reopen_gap: np.ndarray
    ttr_after_reopen: np.ndarray
    close_delay: np.ndarray
    cancel_delay: np.ndarray
    middle_fractions: np.ndarray  # (n, 4) sorted in (0, 1): reassign, reassign, hold, resume
    reassignments: np.ndarray  # 0, 1 or 2
    on_hold: np.ndarray
    reopened: np.ndarray
    canceled: np.ndarray
    groups: np.ndarray  # (n, 3): the group after 0, 1 and 2 reassignments; [:, 2] is the final
    assignees: np.ndarray  # (n, 3): a member of each of those groups
    sla_due: np.ndarray


@dataclass(frozen=True)
class Versions:
    """One entry per version, ordered by incident and then by update time."""

    incident: np.ndarray
    slot: np.ndarray
    updated: np.ndarray
    group: np.ndarray
    assignee: np.ndarray
    reassignment_count: np.ndarray
    reopen_count: np.ndarray
    mod_count: np.ndarray
    resolved_at: np.ndarray
    closed_at: np.ndarray
    made_sla: np.ndarray


def _mask(plan: Plan) -> np.ndarray:
    n = len(plan.opened)
    live = ~plan.canceled
    mask = np.zeros((n, N_SLOTS), dtype=bool)
    mask[:, [NEW, IN_PROGRESS]] = True
    mask[:, REASSIGNED] = live & (plan.reassignments >= 1)
    mask[:, REASSIGNED_AGAIN] = live & (plan.reassignments >= 2)
    mask[:, ON_HOLD] = mask[:, RESUMED] = live & plan.on_hold
    mask[:, RESOLVED] = mask[:, CLOSED] = live
    mask[:, REOPENED] = mask[:, RESOLVED_AGAIN] = live & plan.reopened
    mask[:, CANCELED] = plan.canceled
    return mask


def _times(plan: Plan, mask: np.ndarray) -> np.ndarray:
    times = np.zeros(mask.shape, dtype=np.int64)
    times[:, NEW] = plan.opened
    times[:, IN_PROGRESS] = plan.opened + plan.respond
    resolved = plan.opened + plan.ttr
    span = resolved - times[:, IN_PROGRESS]
    middle = times[:, [IN_PROGRESS]] + (plan.middle_fractions * span[:, None]).astype(np.int64)
    times[:, REASSIGNED : RESUMED + 1] = middle
    times[:, RESOLVED] = resolved
    times[:, REOPENED] = resolved + plan.reopen_gap
    times[:, RESOLVED_AGAIN] = times[:, REOPENED] + plan.ttr_after_reopen
    final = np.where(plan.reopened, times[:, RESOLVED_AGAIN], resolved)
    times[:, CLOSED] = final + plan.close_delay
    times[:, CANCELED] = times[:, IN_PROGRESS] + plan.cancel_delay
    # Versions of one incident need distinct seconds for a unique (sys_updated_on, sys_id) key:
    # a running maximum of (time - rank) then adding the rank back makes times strictly rising.
    rank = np.cumsum(mask, axis=1) - 1
    shifted = np.where(mask, times - rank, np.iinfo(np.int64).min)
    return np.maximum.accumulate(shifted, axis=1) + rank


def _by_slot(n: int, values: dict[tuple[int, ...], np.ndarray | int]) -> np.ndarray:
    grid = np.full((n, N_SLOTS), NONE, dtype=np.int64)
    for slots, value in values.items():
        grid[:, list(slots)] = np.asarray(value).reshape(-1, 1) if np.ndim(value) else value
    return grid


def expand(plan: Plan) -> Versions:
    n = len(plan.opened)
    mask = _mask(plan)
    times = _times(plan, mask)
    settled = (ON_HOLD, RESUMED, RESOLVED, REOPENED, RESOLVED_AGAIN, CLOSED)
    rows = np.arange(n)
    group = _by_slot(
        n,
        {
            (NEW, IN_PROGRESS, CANCELED): plan.groups[:, 0],
            (REASSIGNED,): plan.groups[:, 1],
            (REASSIGNED_AGAIN, *settled): plan.groups[:, 2],
        },
    )
    assignee = _by_slot(
        n,
        {
            (IN_PROGRESS, CANCELED): plan.assignees[:, 0],
            (REASSIGNED,): plan.assignees[:, 1],
            (REASSIGNED_AGAIN,): plan.assignees[:, 2],
            settled: plan.assignees[rows, plan.reassignments],
        },
    )
    reassignment_count = _by_slot(
        n,
        {
            (NEW, IN_PROGRESS, CANCELED): 0,
            (REASSIGNED,): 1,
            (REASSIGNED_AGAIN,): 2,
            settled: plan.reassignments,
        },
    )
    reopen_count = np.zeros((n, N_SLOTS), dtype=np.int64)
    reopen_count[:, [REOPENED, RESOLVED_AGAIN, CLOSED]] = plan.reopened.astype(np.int64)[:, None]
    final_resolution = np.where(plan.reopened, times[:, RESOLVED_AGAIN], times[:, RESOLVED])
    resolved_at = _by_slot(
        n,
        {
            (RESOLVED,): times[:, RESOLVED],
            (RESOLVED_AGAIN,): times[:, RESOLVED_AGAIN],
            (CLOSED,): final_resolution,
        },
    )
    closed_at = _by_slot(n, {(CLOSED,): times[:, CLOSED]})
    # made_sla is true until the SLA breaches and stays false from then on; a resolved version
    # is judged by its resolution time, an open one by its update time.
    effective = np.where(resolved_at != NONE, resolved_at, times)
    made_sla = np.logical_and.accumulate(~mask | (effective <= plan.sla_due[:, None]), axis=1)
    incident, slot = np.nonzero(mask)
    return Versions(
        incident=incident,
        slot=slot,
        updated=times[mask],
        group=group[mask],
        assignee=assignee[mask],
        reassignment_count=reassignment_count[mask],
        reopen_count=reopen_count[mask],
        mod_count=(np.cumsum(mask, axis=1) - 1)[mask],
        resolved_at=resolved_at[mask],
        closed_at=closed_at[mask],
        made_sla=made_sla[mask],
    )
