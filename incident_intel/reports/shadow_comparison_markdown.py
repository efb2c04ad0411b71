"""The shadow comparison in markdown: a table per model, one row per pair of versions."""

from __future__ import annotations

from incident_intel.reports import markdown
from incident_intel.reports.shadow_comparison import ShadowComparison, VersionPair
from incident_intel.storage.tables import RESOLUTION_TIME_MODEL, SLA_BREACH_MODEL, TRIAGE_MODEL

NOTHING_YET = (
    "Nothing to compare yet: the shadow log holds no scores. The API logs them while "
    "`serve.shadow` is on and a scoring model has a candidate, a version saved after the "
    "promoted one and not promoted (one that failed its gates, say)."
)
ALERTS_NOTE = (
    "Alerts at each of the promoted version's thresholds: the share of compared incidents each "
    "version alerts on, and the share on which the two agree."
)
NO_THRESHOLDS = (
    "No alert figures: no promoted breach version that the model store still holds was "
    "compared, so there are no thresholds to alert at."
)
PAIR_COLUMNS = ["promoted", "candidate", "incidents", "first scored (UTC)", "last scored (UTC)"]


def _pair_cells(pair: VersionPair) -> list[object]:
    return [
        pair.promoted_version or "none",
        pair.candidate_version,
        pair.incidents_scored,
        pair.first_scored_at.strftime("%Y-%m-%d %H:%M"),
        pair.last_scored_at.strftime("%Y-%m-%d %H:%M"),
    ]


def _breach(pairs: list[VersionPair]) -> str:
    risk = markdown.table(
        [*PAIR_COLUMNS, "compared", "mean abs risk difference", "Spearman"],
        [
            [
                *_pair_cells(p),
                p.breach.compared,
                p.breach.mean_abs_risk_difference,
                p.breach.spearman,
            ]
            for p in pairs
        ],
    )
    return "\n\n".join(["## SLA breach", risk, _alerts(pairs)])


def _alerts(pairs: list[VersionPair]) -> str:
    rows = [
        [
            p.promoted_version or "none",
            p.candidate_version,
            a.rule,
            a.threshold,
            a.promoted_alert_rate,
            a.candidate_alert_rate,
            a.agreement,
        ]
        for p in pairs
        for a in p.breach.alerts
    ]
    if not rows:
        return NO_THRESHOLDS
    columns = ["promoted", "candidate", "rule", "threshold"]
    columns += ["promoted alerts", "candidate alerts", "agreement"]
    return f"{ALERTS_NOTE}\n\n{markdown.table(columns, rows)}"


def _resolution_time(pairs: list[VersionPair]) -> str:
    table = markdown.table(
        [*PAIR_COLUMNS, "compared", "median abs difference (h)", "ratio of medians"],
        [
            [
                *_pair_cells(p),
                p.resolution_time.compared,
                p.resolution_time.median_abs_difference_hours,
                p.resolution_time.ratio_of_medians,
            ]
            for p in pairs
        ],
    )
    note = "The ratio of medians is the candidate's median prediction over the promoted one's."
    return "\n\n".join(["## Resolution time", table, note])


def _triage(pairs: list[VersionPair]) -> str:
    table = markdown.table(
        [*PAIR_COLUMNS, "target", "compared", "top-1 agreement"],
        [
            [*_pair_cells(p), t.target, t.compared, t.top1_agreement]
            for p in pairs
            for t in p.triage
        ],
    )
    return "\n\n".join(["## Triage", table])


SECTIONS = (
    (SLA_BREACH_MODEL.name, _breach),
    (RESOLUTION_TIME_MODEL.name, _resolution_time),
    (TRIAGE_MODEL.name, _triage),
)


def markdown_report(report: ShadowComparison) -> str:
    title = "# Shadow comparison: candidate versions beside the promoted ones"
    if not report.pairs:
        return f"{title}\n\n{NOTHING_YET}\n"
    intro = (
        f"{report.rows_logged:,} rows in the shadow log. Each candidate scored the same live "
        "requests as the promoted version, after the response was sent. An incident is compared "
        "where both versions gave an answer."
    )
    sections = [
        render([p for p in report.pairs if p.model == model])
        for model, render in SECTIONS
        if any(p.model == model for p in report.pairs)
    ]
    return "\n\n".join([title, intro, *sections]) + "\n"
