"""A hand-made shadow log: a breach, a resolution-time and a triage candidate, with figures
simple enough to work out by hand (see test_shadow_comparison.py)."""

from dataclasses import astuple
from datetime import UTC, datetime, timedelta

import polars as pl

from incident_intel.shadow.log import ShadowRow, shadow_frame

BREACH, TTR, TRIAGE = "sla_breach_model", "resolution_time_model", "triage_model"
START = datetime(2026, 1, 6, 9, 0, tzinfo=UTC)
BREACH_THRESHOLDS = {"max_f1": 0.5, "top_fraction": 0.85}


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat(timespec="microseconds")


def hand_made_rows() -> list[ShadowRow]:
    # Before anything was promoted, a first breach candidate: scored, never compared.
    rows = [ShadowRow(_at(0), "early", BREACH, None, "c0", candidate_breach_probability=0.3)]
    promoted = [0.1, 0.4, 0.6, 0.9, 0.5]
    candidate = [0.2, 0.5, 0.45, 0.8, None]  # the last incident the candidate left unscored
    rows += [
        ShadowRow(
            _at(10 + i),
            f"inc{i}",
            BREACH,
            "p1",
            "c1",
            promoted_breach_probability=p,
            candidate_breach_probability=c,
        )
        for i, (p, c) in enumerate(zip(promoted, candidate, strict=True))
    ]
    rows += [
        ShadowRow(
            _at(10 + i), f"inc{i}", TTR, "r1", "r2", promoted_ttr_hours=p, candidate_ttr_hours=c
        )
        for i, (p, c) in enumerate([(10.0, 12.0), (20.0, 18.0), (30.0, 45.0)])
    ]
    groups = [("A", "A"), ("B", "B"), ("C", "D")]
    rows += [
        ShadowRow(
            _at(10 + i),
            f"inc{i}",
            TRIAGE,
            "t1",
            "t2",
            "assignment_group",
            None,
            None,
            None,
            None,
            p,
            c,
        )
        for i, (p, c) in enumerate(groups)
    ]
    rows.append(
        ShadowRow(
            _at(10), "inc0", TRIAGE, "t1", "t2", "category", promoted_top1="X", candidate_top1="X"
        )
    )
    return rows


def hand_made_log() -> pl.DataFrame:
    return shadow_frame([astuple(row) for row in hand_made_rows()])
