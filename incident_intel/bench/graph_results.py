"""Figures read back from a graph run's data root: the feature table and each model's card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from incident_intel.gold.features import extra_feature_columns
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.tables import (
    INCIDENT_CLUSTERS,
    INCIDENT_FEATURES,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

FIGURES = {
    "sla_breach": (SLA_BREACH_MODEL.name, ("roc_auc", "pr_auc", "brier", "base_rate", "n")),
    "resolution_time": (
        RESOLUTION_TIME_MODEL.name,
        ("mae_hours", "rmse_hours", "median_ae_hours", "r2", "interval_coverage", "n"),
    ),
}
MODELS = tuple(
    t.name for t in (SLA_BREACH_MODEL, RESOLUTION_TIME_MODEL, TRIAGE_MODEL, INCIDENT_CLUSTERS)
)
KNOWN_CHECK = "incident_features_known_at_prediction"
TRIAGE_FIGURES = ("top1_accuracy", "top3_accuracy", "macro_f1", "coverage_at_target_precision", "n")
GATE_FIGURES = (
    "baseline",
    "advantage",
    "advantage_low",
    "advantage_high",
    "wins",
    "beyond_noise",
    "passed",
)


def _pick(metrics: dict, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: metrics.get(k) for k in keys}


def candidate_cards(store: ModelStore) -> dict[str, dict]:
    """The card of the one version each model trained in this run, promoted or not.

    Cards are read rather than the evaluation report, because a model that fails its gate
    fails the run before the report is written, and its figures still belong in the output.
    """
    cards = {}
    for name in MODELS:
        versions = store.candidates(name)
        if len(versions) != 1:
            raise SystemExit(f"expected one trained version of {name}, found {versions}")
        cards[name] = store.card(name, versions[0])
    return cards


def figures_from_cards(report: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"baselines": {}}
    for name, (model, keys) in FIGURES.items():
        metrics = report[model]["metrics"]
        out[name] = {**_pick(metrics["model"], keys), "promoted": report[model]["promoted"]}
        out["baselines"][name] = {b: _pick(m, keys) for b, m in metrics["baselines"].items()}
    breach = report[SLA_BREACH_MODEL.name]["metrics"]
    out["sla_breach"]["f1_at_max_f1"] = breach["thresholds"]["max_f1"]["f1"]
    out["sla_breach_blend"] = breach["blend"]
    for target, metrics in report[TRIAGE_MODEL.name]["metrics"].items():
        key = f"triage_{target}"
        out[key] = {**_pick(metrics["model"], TRIAGE_FIGURES), "classes": metrics["classes"]}
        out["baselines"][key] = {
            b: _pick(m, TRIAGE_FIGURES) for b, m in metrics["baselines"].items()
        }
    clusters = report[INCIDENT_CLUSTERS.name]["metrics"]
    out["clusters"] = _pick(
        clusters, ("k", "silhouette", "davies_bouldin", "category_purity", "group_purity")
    )
    out["gates_passed"] = {
        name: summary["promoted"] for name, summary in report.items() if "gates" in summary
    }
    out["gates"] = {
        gate["metric"]: _pick(gate, GATE_FIGURES)
        for summary in report.values()
        for gate in summary.get("gates", [])
    }
    return out


def history_figures(features: pl.DataFrame) -> dict[str, Any]:
    """How many incidents were known at their prediction time, and how late the rest were."""
    unknown = features.filter(~pl.col("known_at_prediction"))
    return {
        "incidents": features.height,
        "unknown_at_prediction": unknown.height,
        "unknown_share": round(unknown.height / features.height, 4) if features.height else 0.0,
        "median_as_of_lag_hours": round(float(unknown["as_of_lag_hours"].median() or 0.0), 2),
        "split": dict(features["split"].value_counts().sort("split").iter_rows()),
    }


def extra_field_figures(features: pl.DataFrame) -> dict[str, float]:
    """Each extra field in gold, with the share of incidents known at prediction time that
    have a value for it then."""
    known = features.filter(pl.col("known_at_prediction"))
    columns = [c for kind in extra_feature_columns(features) for c in kind]
    if known.is_empty() or not columns:
        return dict.fromkeys(columns, 0.0)
    shares = known.select(pl.col(columns).is_not_null().mean()).row(0, named=True)
    return {c: round(share, 4) for c, share in shares.items()}


def read_results(data: Path) -> dict[str, Any]:
    paths = LakePaths(data)
    features = pl.read_parquet(paths.table_file(INCIDENT_FEATURES))
    store = ModelStore(paths.models)
    figures = {**history_figures(features), "extra_fields": extra_field_figures(features)}
    if not any(store.candidates(name) for name in MODELS):
        # The features check blocked training: the figures are the guard's.
        return {**figures, "training": f"blocked by {KNOWN_CHECK}"}
    return {**figures, **figures_from_cards(candidate_cards(store))}
