"""The shadow comparison: how each candidate version scored live requests beside the version
promoted at the time, per pair of versions, so that a promotion is judged on real traffic.

It reads the shadow log (shadow/log.py). A figure needs both versions' answers for the same
incident, so an incident either version left unscored counts as scored but is not compared.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

import polars as pl

from incident_intel.scoring.promoted import SCORING_MODELS
from incident_intel.storage.tables import RESOLUTION_TIME_MODEL, SLA_BREACH_MODEL, TRIAGE_MODEL

PAIR = ["model", "promoted_version", "candidate_version"]


@dataclass(frozen=True)
class AlertAgreement:
    """How often both versions alert, or both stay silent, at one of the promoted thresholds."""

    rule: str
    threshold: float
    promoted_alert_rate: float | None
    candidate_alert_rate: float | None
    agreement: float | None


@dataclass(frozen=True)
class BreachComparison:
    compared: int
    mean_abs_risk_difference: float | None
    spearman: float | None  # the rank correlation of the two risks
    alerts: list[AlertAgreement]


@dataclass(frozen=True)
class ResolutionTimeComparison:
    compared: int
    median_abs_difference_hours: float | None
    ratio_of_medians: float | None  # the candidate's median prediction over the promoted one's


@dataclass(frozen=True)
class TriageComparison:
    target: str
    compared: int
    top1_agreement: float | None


@dataclass(frozen=True)
class VersionPair:
    """One candidate version scored beside one promoted version, and how their answers compare."""

    model: str
    promoted_version: str | None
    candidate_version: str
    first_scored_at: datetime
    last_scored_at: datetime
    incidents_scored: int
    breach: BreachComparison | None = None
    resolution_time: ResolutionTimeComparison | None = None
    triage: list[TriageComparison] | None = None


@dataclass(frozen=True)
class ShadowComparison:
    rows_logged: int
    pairs: list[VersionPair]  # by model, then oldest first

    def as_dict(self) -> dict[str, Any]:
        return {"rows_logged": self.rows_logged, "pairs": [asdict(p) for p in self.pairs]}


def _number(value: float | None) -> float | None:
    """A figure as a float, or None where there is none (no rows, or a correlation of a
    constant)."""
    return None if value is None or math.isnan(value) else float(value)


def _share(condition: pl.Expr, frame: pl.DataFrame) -> float | None:
    return _number(frame.select(condition.mean()).item())


def breach_comparison(log: pl.DataFrame, thresholds: dict[str, float]) -> BreachComparison:
    """The risks of one pair's incidents, at the promoted version's alert `thresholds`."""
    promoted, candidate = (
        pl.col("promoted_breach_probability"),
        pl.col("candidate_breach_probability"),
    )
    both = log.filter(promoted.is_not_null() & candidate.is_not_null())
    alerts = [
        AlertAgreement(
            rule=rule,
            threshold=threshold,
            promoted_alert_rate=_share(promoted >= threshold, both),
            candidate_alert_rate=_share(candidate >= threshold, both),
            agreement=_share((promoted >= threshold) == (candidate >= threshold), both),
        )
        for rule, threshold in sorted(thresholds.items())
    ]
    figures = both.select(
        (promoted - candidate).abs().mean().alias("mean_abs"),
        pl.corr(promoted, candidate, method="spearman").alias("spearman"),
    )
    return BreachComparison(
        compared=both.height,
        mean_abs_risk_difference=_number(figures["mean_abs"].item()),
        spearman=_number(figures["spearman"].item()),
        alerts=alerts,
    )


def resolution_time_comparison(log: pl.DataFrame) -> ResolutionTimeComparison:
    promoted, candidate = pl.col("promoted_ttr_hours"), pl.col("candidate_ttr_hours")
    both = log.filter(promoted.is_not_null() & candidate.is_not_null())
    figures = both.select(
        (promoted - candidate).abs().median().alias("median_abs"),
        promoted.median().alias("promoted"),
        candidate.median().alias("candidate"),
    )
    promoted_median = _number(figures["promoted"].item())
    candidate_median = _number(figures["candidate"].item())
    ratio = None
    if promoted_median not in (None, 0.0) and candidate_median is not None:
        ratio = candidate_median / promoted_median
    return ResolutionTimeComparison(
        compared=both.height,
        median_abs_difference_hours=_number(figures["median_abs"].item()),
        ratio_of_medians=ratio,
    )


def triage_comparison(log: pl.DataFrame) -> list[TriageComparison]:
    """Per target, how often the two versions' first suggestions are the same label."""
    promoted, candidate = pl.col("promoted_top1"), pl.col("candidate_top1")
    comparisons = []
    for target in sorted(log["triage_target"].drop_nulls().unique()):
        both = log.filter(
            (pl.col("triage_target") == target) & promoted.is_not_null() & candidate.is_not_null()
        )
        comparisons.append(
            TriageComparison(target, both.height, _share(promoted == candidate, both))
        )
    return comparisons


def version_pair(log: pl.DataFrame, breach_thresholds: dict[str, dict[str, float]]) -> VersionPair:
    """The comparison of the rows of one (model, promoted version, candidate version)."""
    model, promoted, candidate = log.select(PAIR).row(0)
    pair = VersionPair(
        model=model,
        promoted_version=promoted,
        candidate_version=candidate,
        first_scored_at=log["scored_at"].min(),
        last_scored_at=log["scored_at"].max(),
        incidents_scored=log.select("scored_at", "sys_id").n_unique(),
    )
    if model == SLA_BREACH_MODEL.name:
        thresholds = breach_thresholds.get(promoted, {})
        return replace(pair, breach=breach_comparison(log, thresholds))
    if model == RESOLUTION_TIME_MODEL.name:
        return replace(pair, resolution_time=resolution_time_comparison(log))
    if model == TRIAGE_MODEL.name:
        return replace(pair, triage=triage_comparison(log))
    raise ValueError(f"the shadow log names {model!r}, which is not a scoring model")


def compare_versions(
    log: pl.DataFrame, breach_thresholds: dict[str, dict[str, float]]
) -> ShadowComparison:
    """Every version pair of the log; `breach_thresholds` maps a promoted breach version to its
    alert thresholds by rule (a version no longer stored has none, and no alert figures)."""
    pairs = [
        version_pair(rows, breach_thresholds) for _, rows in log.group_by(PAIR, maintain_order=True)
    ]
    pairs.sort(key=lambda p: (p.model, p.first_scored_at))
    return ShadowComparison(rows_logged=log.height, pairs=pairs)


def latest_pairs(report: ShadowComparison) -> dict[str, VersionPair]:
    """Each model's pair scored most recently: the comparison that matters now."""
    latest: dict[str, VersionPair] = {}
    for pair in report.pairs:
        if pair.model not in latest or pair.last_scored_at > latest[pair.model].last_scored_at:
            latest[pair.model] = pair
    return latest


def comparison_headlines(report: ShadowComparison) -> dict[str, float]:
    """Per model, the figures of its latest pair worth plotting across runs; and, always, the
    share of the scoring models that have a candidate under comparison."""
    latest = latest_pairs(report)
    figures: dict[str, float | None] = {"models_in_shadow_share": len(latest) / len(SCORING_MODELS)}
    for model, pair in latest.items():
        if pair.breach is not None:
            figures[f"{model}_mean_abs_risk_difference"] = pair.breach.mean_abs_risk_difference
            figures[f"{model}_spearman"] = pair.breach.spearman
            for alert in pair.breach.alerts:
                figures[f"{model}_alert_agreement_at_{alert.rule}"] = alert.agreement
        if pair.resolution_time is not None:
            rt = pair.resolution_time
            figures[f"{model}_median_abs_difference_hours"] = rt.median_abs_difference_hours
            figures[f"{model}_ratio_of_medians"] = rt.ratio_of_medians
        for triage in pair.triage or []:
            figures[f"{model}_top1_agreement_{triage.target}"] = triage.top1_agreement
    return {name: value for name, value in figures.items() if value is not None}
