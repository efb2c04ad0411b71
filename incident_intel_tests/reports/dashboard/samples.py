"""Small dashboard inputs, shaped as the lake holds them, with text chosen to attack the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from incident_intel.reports.dashboard.inputs import DashboardInputs
from incident_intel.scoring.scorer import SUGGESTION_TYPE
from incident_intel.scoring.similar import SIMILAR_TYPE

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">&amp;'
DAY = date(2026, 1, 20)
BASE = {"roc_auc": 0.8, "pr_auc": 0.4, "brier": 0.1, "base_rate": 0.2}
CURVE = {"precision": [0.2, 0.4, 0.9], "recall": [1.0, 0.5, 0.1]}
THRESHOLD = {
    "threshold": 0.3,
    "alert_rate": 0.25,
    "precision": 0.5,
    "recall": 0.6,
    "f1": 0.55,
    "confusion": {"tp": 6, "fp": 6, "tn": 30, "fn": 4},
}
GATE = {
    "metric": "m",
    "model_value": 1.0,
    "baseline": "catboost_default",
    "baseline_value": 0.9,
    "passed": True,
}


def _card(model: str, metrics: dict[str, Any], version: str = "v1") -> dict[str, Any]:
    return {
        "model": model,
        "version": version,
        "promoted": True,
        "gates": [GATE] if model != "incident_clusters" else [],
        "training_window": {"last_opened": "2026-01-19 12:00:00+00:00"},
        "settings": {"triage": {"target_precision": 0.9}},
        "metrics": metrics,
    }


def _triage_metrics() -> dict[str, Any]:
    figures = {"top1_accuracy": 0.8, "top3_accuracy": 0.9, "macro_f1": 0.7}
    routing = [
        {
            "predicted": XSS,
            "auto_route_coverage": 0.5,
            "auto_route_precision": 0.9,
            "predicted_n": 9,
        }
    ]
    return {
        "assignment_group": {
            "model": {**figures, "coverage_at_target_precision": 0.5, "routing_by_class": routing},
            "baselines": {"tfidf_linear": {**figures, "routing_by_class": routing}},
        }
    }


def evaluation_report() -> dict[str, dict[str, Any]]:
    breach = {
        "model": BASE,
        "baselines": {"catboost_default": BASE, "priority_rate": BASE},
        "pr_curve": {"model": CURVE, "catboost_default": CURVE, "priority_rate": CURVE},
        "reliability": [{"mean_predicted": 0.1, "observed_rate": 0.12, "count": 40}],
        "thresholds": {"max_f1": THRESHOLD, "top_fraction": THRESHOLD},
    }
    errors = {"mae_hours": 10.0, "rmse_hours": 15.0, "median_ae_hours": 7.0}
    ttr = {
        "model": {**errors, "interval_coverage": 0.8, "interval_median_width_hours": 30.0},
        "baselines": {"median_by_priority": {**errors, "interval_coverage": 0.85}},
        "residual_sample": {"hours": [1.0, 10.0, 50.0], "predicted": [2.0, 9.0, 40.0]},
        "residuals_by_priority": [{"group": "3", "mae_hours": 9.0, "median_residual_hours": 1.0}],
        "interval_target_coverage": 0.8,
    }
    profile = {
        "cluster": 0,
        "label": XSS,
        "size": 30,
        "breach_rate": 0.3,
        "median_ttr_hours": 12.0,
        "dominant_category": "software",
        "category_purity": 0.9,
        "dominant_group": XSS,
        "group_purity": 0.5,
        "dominant_priority": "4",
        "priority_purity": 0.4,
        "top_terms": ["vpn", XSS],
        "exemplars": [XSS],
    }
    clusters = {"k": 1, "silhouette": 0.1, "category_purity": 0.9, "group_purity": 0.5}
    return {
        "sla_breach_model": _card("sla_breach_model", breach),
        "resolution_time_model": _card("resolution_time_model", ttr),
        "triage_model": _card("triage_model", _triage_metrics()),
        "incident_clusters": _card("incident_clusters", {**clusters, "profiles": [profile]}),
    }


def ops_stats() -> pl.DataFrame:
    days = [DAY - timedelta(days=i) for i in range(3)]
    return pl.DataFrame(
        {
            "day": days * 2,
            "assignment_group": ["Network"] * 3 + [XSS] * 3,
            "priority": [3] * 3 + [2] * 3,
            "opened": [5, 4, 3, 2, 2, 1],
            "resolved": [4, 4, 0, 1, 2, 1],
            "backlog": [3, 2, 2, 1, 0, 0],
            "mttr_hours": [10.0, 12.0, None, 5.0, 6.0, 7.0],
            "sla_attainment": [0.9, 0.8, None, 1.0, 0.5, 1.0],
        }
    )


def arrivals() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "opened_hour": [9, 9, 14],
            "opened_weekday": [1, 1, 5],
            "sla_breached": [True, False, None],
        }
    )


def open_scores(n: int = 3) -> pl.DataFrame:
    suggestion = [{"label": XSS, "confidence": 0.7}, {"label": "Network", "confidence": 0.2}]
    similar = [
        {
            "number": "INC0000001",
            "similarity": 0.9,
            "ttr_hours": 5.0,
            "close_code": XSS,
            "close_notes": XSS,
            "short_description": XSS,
        }
    ]
    return pl.DataFrame(
        {
            "sys_id": [f"s{i}" for i in range(n)],
            "number": [f"INC00001{i}" for i in range(n)],
            "breach_probability": [0.1 * (i + 1) for i in range(n)],
            "breach_alert_max_f1": [i == n - 1 for i in range(n)],
            "breach_factors": [["priority = 2 (+0.1 risk)", XSS]] * n,
            "ttr_hours": [10.0] * n,
            "ttr_low_hours": [2.0] * n,
            "ttr_high_hours": [30.0] * n,
            "ttr_factors": [[XSS]] * n,
            "assignment_group_suggestions": pl.Series([suggestion] * n, dtype=SUGGESTION_TYPE),
            "assignment_group_action": ["AUTO_ROUTE", "HUMAN_REVIEW", "ESCALATE"][:n],
            "similar": pl.Series([similar] * n, dtype=SIMILAR_TYPE),
            "state": ["In Progress"] * n,
            "opened_at": [datetime(2026, 1, 20, 9, tzinfo=UTC)] * n,
            "priority": ["2", "3", "3"][:n],
            "category": ["network"] * n,
            "assignment_group": [XSS, "Network", "Network"][:n],
            "short_description": [XSS] * n,
        }
    )


def drift() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "day": [DAY - timedelta(days=1), DAY, DAY - timedelta(days=1), DAY],
            "feature": ["priority", "priority", XSS, XSS],
            "psi": [0.02, 0.3, 0.1, 0.12],
            "usual": [0.0, 0.01, 0.0, 0.0],
            "severity": ["none", "major", "moderate", XSS],
        }
    )


def full_inputs() -> DashboardInputs:
    report = evaluation_report()
    return DashboardInputs(
        ops_stats=ops_stats(),
        arrivals=arrivals(),
        evaluation=report,
        cards={name: [card] for name, card in report.items()},
        scores=open_scores(),
        scores_day=DAY,
        drift=drift(),
    )


def empty_inputs() -> DashboardInputs:
    return DashboardInputs(None, None, None, {}, None, None, None)
