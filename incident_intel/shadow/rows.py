"""The shadow log's rows for one request: what the promoted models answered beside what the
candidates would have, per incident and candidate model (and per target for triage)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from incident_intel.shadow.log import ShadowRow
from incident_intel.storage.tables import RESOLUTION_TIME_MODEL, SLA_BREACH_MODEL, TRIAGE_MODEL

SUGGESTIONS = "_suggestions"


def shadow_rows(
    served: list[dict[str, Any]], shadow: list[dict[str, Any]], scored_at: datetime
) -> list[ShadowRow]:
    """Rows from the promoted scores sent back and the candidates' scores of the same
    incidents, both as the scorer's records, in the same order."""
    when = scored_at.isoformat(timespec="microseconds")
    rows = []
    for promoted, candidate in zip(served, shadow, strict=True):
        for model, candidate_version in candidate["model_versions"].items():
            promoted_version = promoted["model_versions"].get(model)
            # A promotion may land between the response and the shadow: then there is no pair.
            if candidate_version is None or candidate_version == promoted_version:
                continue
            pair = ShadowRow(when, promoted["sys_id"], model, promoted_version, candidate_version)
            rows += _model_rows(pair, promoted, candidate)
    return rows


def _model_rows(pair: ShadowRow, promoted: dict, candidate: dict) -> list[ShadowRow]:
    if pair.model == SLA_BREACH_MODEL.name:
        return [
            replace(
                pair,
                promoted_breach_probability=promoted["breach_probability"],
                candidate_breach_probability=candidate["breach_probability"],
            )
        ]
    if pair.model == RESOLUTION_TIME_MODEL.name:
        return [
            replace(
                pair,
                promoted_ttr_hours=promoted["ttr_hours"],
                candidate_ttr_hours=candidate["ttr_hours"],
            )
        ]
    if pair.model != TRIAGE_MODEL.name:
        raise ValueError(f"{pair.model!r} is not a scoring model the shadow log knows")
    targets = [key.removesuffix(SUGGESTIONS) for key in candidate if key.endswith(SUGGESTIONS)]
    return [
        replace(
            pair,
            triage_target=target,
            promoted_top1=_top1(promoted, target),
            candidate_top1=_top1(candidate, target),
        )
        for target in targets
    ]


def _top1(record: dict[str, Any], target: str) -> str | None:
    suggestions = record.get(target + SUGGESTIONS) or []
    return suggestions[0]["label"] if suggestions else None
