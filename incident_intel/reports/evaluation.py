"""The model evaluation report: every figure of every model beside its baselines."""

from __future__ import annotations

from typing import Any

from incident_intel.reports import markdown
from incident_intel.storage.tables import (
    INCIDENT_CLUSTERS,
    RESOLUTION_TIME_MODEL,
    SLA_BREACH_MODEL,
    TRIAGE_MODEL,
)

BREACH_KEYS = ("roc_auc", "pr_auc", "brier", "base_rate", "n")
TTR_KEYS = ("mae_hours", "rmse_hours", "median_ae_hours", "r2", "interval_coverage", "n")
TRIAGE_KEYS = (
    "top1_accuracy",
    "top3_accuracy",
    "macro_f1",
    "coverage_at_target_precision",
    "precision_auto_route",
    "coverage_human_review",
    "coverage_escalate",
    "n",
)


def _versus(model: dict, baselines: dict[str, dict], keys: tuple[str, ...]) -> str:
    rows = [["candidate", *[model.get(k) for k in keys]]]
    rows += [[name, *[b.get(k) for k in keys]] for name, b in baselines.items()]
    return markdown.table(["model", *keys], rows)


def _advantage(gate: dict) -> str:
    """The model's advantage with its bootstrap interval, e.g. `+0.023 [+0.011, +0.037]`."""
    return "{advantage:+.3f} [{advantage_low:+.3f}, {advantage_high:+.3f}]".format(**gate)


def gates_table(summary: dict) -> str:
    """The verdict, and each gate against its strongest baseline with the bootstrap interval."""
    rows = [
        [
            g["metric"],
            g["model_value"],
            g["baseline"],
            g["baseline_value"],
            _advantage(g),
            "yes" if g["beyond_noise"] else "no",
            "passed" if g["passed"] else "FAILED",
        ]
        for g in summary["gates"]
    ]
    level = summary["gates"][0]["interval_level"]
    verdict = "promoted to latest" if summary["promoted"] else "NOT promoted"
    return (
        f"Version `{summary['version']}`: {verdict}. Each gate compares the model with its "
        f"strongest baseline; the advantage (positive: the model is better) has a paired "
        f"bootstrap {level:.0%} interval over the test incidents, and the win is beyond noise "
        "when the whole interval is above zero. A gate fails when the whole interval is at or "
        "below zero: the baseline is better beyond noise.\n\n"
        + markdown.table(
            [
                "gate metric",
                "model",
                "strongest baseline",
                "baseline",
                "advantage [interval]",
                "win beyond noise",
                "result",
            ],
            rows,
        )
    )


def _explanations(metrics: dict, unit: str) -> list[str]:
    importance = [[r["feature"], r["mean_abs_shap"]] for r in metrics["global_importance"]]
    examples = [
        [e["number"], e.get("risk", e.get("predicted_hours")), "; ".join(e["factors"])]
        for e in metrics["example_explanations"]
    ]
    return [
        f"Global importance (mean |SHAP|, {unit}):",
        markdown.table(["feature", "mean abs SHAP"], importance),
        "Top factors of example test incidents:",
        markdown.table(["incident", "prediction", "top factors"], examples),
    ]


def _blend(metrics: dict) -> list[str]:
    """The breach blend's weights, chosen on valid; a model trained before the blend has none."""
    blend = metrics.get("blend")
    if not blend:
        return []
    weights = ", ".join(f"{member} {weight:g}" for member, weight in blend.items())
    return [f"Blend of standardised scores, chosen on `valid` ROC AUC: {weights}."]


def breach_section(summary: dict) -> str:
    metrics = summary["metrics"]
    thresholds = [
        [
            rule,
            t["threshold"],
            t["precision"],
            t["recall"],
            t["f1"],
            t["alert_rate"],
            "{tp}/{fp}/{fn}/{tn}".format(**t["confusion"]),
        ]
        for rule, t in metrics["thresholds"].items()
    ]
    reliability = [
        [f"{r['lower']:.1f}-{r['upper']:.1f}", r["mean_predicted"], r["observed_rate"], r["count"]]
        for r in metrics["reliability"]
        if r["count"]
    ]
    return "\n\n".join(
        [
            "## SLA-breach risk (`ml/sla_breach_model`)",
            gates_table(summary),
            _versus(metrics["model"], metrics["baselines"], BREACH_KEYS),
            *_blend(metrics),
            "Thresholds tuned on `valid`, measured on `test` (confusion as tp/fp/fn/tn):",
            markdown.table(
                ["rule", "threshold", "precision", "recall", "f1", "alert rate", "confusion"],
                thresholds,
            ),
            "Reliability on `test`:",
            markdown.table(["bin", "mean predicted", "observed", "count"], reliability),
            "![PR curve](sla_breach_pr_curve.png) ![Reliability](sla_breach_reliability.png)",
            *_explanations(metrics, "log-odds"),
        ]
    )


def resolution_section(summary: dict) -> str:
    metrics = summary["metrics"]

    def residual_rows(key: str) -> list[list[Any]]:
        return [
            [r["group"], r["n"], r["mae_hours"], r.get("mean_residual_hours")] for r in metrics[key]
        ]

    return "\n\n".join(
        [
            "## Time to resolution (`ml/resolution_time_model`)",
            gates_table(summary),
            _versus(metrics["model"], metrics["baselines"], TTR_KEYS),
            f"Interval target coverage: {metrics['interval_target_coverage']:.0%}.",
            "Residuals by priority:",
            markdown.table(
                ["priority", "n", "MAE h", "mean residual h"],
                residual_rows("residuals_by_priority"),
            ),
            "Residuals by assignment group (largest groups):",
            markdown.table(
                ["group", "n", "MAE h", "mean residual h"], residual_rows("residuals_by_group")
            ),
            "![Residuals](resolution_time_residuals.png)",
            *_explanations(metrics, "log1p hours"),
        ]
    )


def triage_section(summary: dict) -> str:
    parts = ["## Triage (`ml/triage_model`)", gates_table(summary)]
    for target, metrics in summary["metrics"].items():
        model = metrics["model"]
        per_class = [
            [c["label"], c["precision"], c["recall"], c["support"]]
            for c in sorted(model["per_class"], key=lambda c: -c["support"])[:20]
        ]
        confusions = [[c["true"], c["predicted"], c["count"]] for c in model["top_confusions"]]
        parts += [
            f"### {target} ({metrics['classes']} classes; folded into other: "
            f"{len(metrics['folded_into_other'])})",
            _versus(model, metrics["baselines"], TRIAGE_KEYS),
            markdown.table(["class", "precision", "recall", "support"], per_class),
            "Top confusions:",
            markdown.table(["true", "predicted", "count"], confusions),
            f"![Routing](triage_{target}_routing.png)",
        ]
    return "\n\n".join(parts)


def clusters_section(summary: dict) -> str:
    metrics = summary["metrics"]
    rows = [
        [
            p["cluster"],
            p["size"],
            ", ".join(p["top_terms"][:5]),
            p["dominant_category"],
            p["category_purity"],
            p["dominant_group"],
            p["group_purity"],
            p["breach_rate"],
            p["median_ttr_hours"],
        ]
        for p in metrics["profiles"]
    ]
    return "\n\n".join(
        [
            "## Incident archetypes (`ml/incident_clusters`)",
            f"k = {metrics['k']}; silhouette {metrics['silhouette']:.3f}; "
            f"Davies-Bouldin {metrics['davies_bouldin']:.3f}.",
            markdown.table(
                [
                    "cluster",
                    "size",
                    "top terms",
                    "category",
                    "purity",
                    "group",
                    "purity",
                    "breach rate",
                    "median TTR h",
                ],
                rows,
            ),
        ]
    )


def markdown_report(summaries: dict[str, dict]) -> str:
    sections = {
        SLA_BREACH_MODEL.name: breach_section,
        RESOLUTION_TIME_MODEL.name: resolution_section,
        TRIAGE_MODEL.name: triage_section,
        INCIDENT_CLUSTERS.name: clusters_section,
    }
    body = [sections[name](summaries[name]) for name in sections if name in summaries]
    return "# Model evaluation\n\n" + "\n\n".join(body) + "\n"
