"""Models: breach risk, time to resolution and triage, each gated on its baseline; archetypes."""

import dagster as dg
import polars as pl

from incident_intel.defs.gold.assets import EMBEDDINGS_KEY, FEATURES_KEY
from incident_intel.defs.metadata import markdown_table
from incident_intel.defs.ml.training import gate_result, gold_inputs, save_and_maybe_promote
from incident_intel.ml.gates import leakage_sentinel
from incident_intel.modeling.breach_training import train_breach
from incident_intel.modeling.cluster_training import train_clusters
from incident_intel.modeling.resolution_training import train_resolution_time
from incident_intel.modeling.tabular_data import model_bundle
from incident_intel.modeling.triage_training import TARGETS, train_triage
from incident_intel.resources.lake import LakeResource

BREACH_KEY = dg.AssetKey(["ml", "sla_breach_model"])
TTR_KEY = dg.AssetKey(["ml", "resolution_time_model"])
TRIAGE_KEY = dg.AssetKey(["ml", "triage_model"])
CLUSTERS_KEY = dg.AssetKey(["ml", "incident_clusters"])
GOLD_DEPS = [FEATURES_KEY, EMBEDDINGS_KEY]


def _comparison(
    model: dict, baselines: dict[str, dict], keys: list[str]
) -> dg.MarkdownMetadataValue:
    rows = [{"model": "candidate", **{k: model.get(k) for k in keys}}]
    rows += [{"model": name, **{k: b.get(k) for k in keys}} for name, b in baselines.items()]
    return markdown_table(pl.DataFrame(rows))


@dg.asset(
    key=BREACH_KEY,
    deps=GOLD_DEPS,
    group_name="ml",
    kinds={"catboost"},
    check_specs=[
        dg.AssetCheckSpec(
            "sla_breach_model_beats_baseline",
            asset=BREACH_KEY,
            blocking=True,
            description="PR AUC on the test split above the priority-rate baseline's.",
        ),
        dg.AssetCheckSpec(
            "sla_breach_model_leakage_sentinel",
            asset=BREACH_KEY,
            description="No single feature alone reaches an out-of-fold ROC AUC above 0.95.",
        ),
    ],
)
def sla_breach_model(context: dg.AssetExecutionContext, lake: LakeResource):
    """The calibrated probability that an incident breaches its SLA, from what is known early."""
    inputs = gold_inputs(lake)
    trained = train_breach(inputs.features, inputs.embeddings, inputs.settings)
    summary = save_and_maybe_promote(
        lake,
        "sla_breach_model",
        inputs,
        model_bundle(trained.model, trained.data),
        {"metrics": trained.metrics, "features": list(trained.data.X["train"].columns)},
        [trained.gate],
        trained.thresholds,
    )
    model = trained.metrics["model"]
    yield dg.Output(
        summary,
        metadata={
            "version": summary["version"],
            "promoted": summary["promoted"],
            "roc_auc": model["roc_auc"],
            "pr_auc": model["pr_auc"],
            "brier": model["brier"],
            "baseline_pr_auc": trained.gate.baseline_value,
            **{f"f1_at_{rule}": t["f1"] for rule, t in trained.metrics["thresholds"].items()},
            "comparison": _comparison(
                model, trained.metrics["baselines"], ["roc_auc", "pr_auc", "brier"]
            ),
        },
    )
    yield gate_result(BREACH_KEY, "sla_breach_model_beats_baseline", trained.gate)
    suspects = leakage_sentinel(
        trained.data.X["train"],
        trained.data.rows["train"]["sla_breached"].cast(int).to_numpy(),
        seed=inputs.settings["seed"],
    )
    yield dg.AssetCheckResult(
        asset_key=BREACH_KEY,
        check_name="sla_breach_model_leakage_sentinel",
        passed=not suspects,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"suspects": ", ".join(f"{k} ({v:.3f})" for k, v in suspects.items()) or "none"},
    )


@dg.asset(
    key=TTR_KEY,
    deps=GOLD_DEPS,
    group_name="ml",
    kinds={"catboost"},
    check_specs=[
        dg.AssetCheckSpec(
            "resolution_time_model_beats_baseline",
            asset=TTR_KEY,
            blocking=True,
            description="MAE in hours on the test split below the median-by-priority baseline's.",
        )
    ],
)
def resolution_time_model(context: dg.AssetExecutionContext, lake: LakeResource):
    """The expected hours to resolve an incident, with an 80 % prediction interval."""
    inputs = gold_inputs(lake)
    trained = train_resolution_time(inputs.features, inputs.embeddings, inputs.settings)
    summary = save_and_maybe_promote(
        lake,
        "resolution_time_model",
        inputs,
        model_bundle(trained.model, trained.data),
        {"metrics": trained.metrics, "features": list(trained.data.X["train"].columns)},
        [trained.gate],
    )
    model = trained.metrics["model"]
    yield dg.Output(
        summary,
        metadata={
            "version": summary["version"],
            "promoted": summary["promoted"],
            "mae_hours": model["mae_hours"],
            "rmse_hours": model["rmse_hours"],
            "median_ae_hours": model["median_ae_hours"],
            "interval_coverage": model["interval_coverage"],
            "baseline_mae_hours": trained.gate.baseline_value,
            "comparison": _comparison(
                model,
                trained.metrics["baselines"],
                ["mae_hours", "rmse_hours", "median_ae_hours", "interval_coverage"],
            ),
        },
    )
    yield gate_result(TTR_KEY, "resolution_time_model_beats_baseline", trained.gate)


@dg.asset(
    key=TRIAGE_KEY,
    deps=GOLD_DEPS,
    group_name="ml",
    kinds={"scikitlearn"},
    check_specs=[
        dg.AssetCheckSpec(
            "triage_model_beats_baseline",
            asset=TRIAGE_KEY,
            blocking=True,
            description="Top-1 accuracy on the test split above TF-IDF + linear, per target.",
        )
    ],
)
def triage_model(context: dg.AssetExecutionContext, lake: LakeResource):
    """Suggested category and assignment group with top-3 confidence and a routing action."""
    inputs = gold_inputs(lake)
    targets = inputs.settings.get("triage", {}).get("targets", list(TARGETS))
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise ValueError(f"unknown triage targets {sorted(unknown)}; known: {sorted(TARGETS)}")
    trained = {
        t: train_triage(inputs.features, inputs.embeddings, t, inputs.settings) for t in targets
    }
    gates = [t.gate for t in trained.values()]
    summary = save_and_maybe_promote(
        lake,
        "triage_model",
        inputs,
        {t: r.model for t, r in trained.items()},
        {"metrics": {t: r.metrics for t, r in trained.items()}},
        gates,
        {
            t: {"auto_route": r.model.auto_thresholds_, "human_review": r.model.review_thresholds_}
            for t, r in trained.items()
        },
    )
    metadata = {"version": summary["version"], "promoted": summary["promoted"]}
    for target, result in trained.items():
        model = result.metrics["model"]
        metadata[f"{target}_top1_accuracy"] = model["top1_accuracy"]
        metadata[f"{target}_top3_accuracy"] = model["top3_accuracy"]
        metadata[f"{target}_macro_f1"] = model["macro_f1"]
        metadata[f"{target}_coverage_at_target_precision"] = model["coverage_at_target_precision"]
        metadata[f"{target}_comparison"] = _comparison(
            model,
            result.metrics["baselines"],
            ["top1_accuracy", "top3_accuracy", "macro_f1", "coverage_at_target_precision"],
        )
    yield dg.Output(summary, metadata=metadata)
    worst = next((g for g in gates if not g.passed), gates[0])
    yield gate_result(TRIAGE_KEY, "triage_model_beats_baseline", worst)


@dg.asset(key=CLUSTERS_KEY, deps=GOLD_DEPS, group_name="ml", kinds={"scikitlearn"})
def incident_clusters(context: dg.AssetExecutionContext, lake: LakeResource):
    """Incident archetypes with their size, top terms, dominant fields, outcomes and exemplars."""
    inputs = gold_inputs(lake)
    trained = train_clusters(inputs.features, inputs.text_embeddings, inputs.settings)
    summary = save_and_maybe_promote(
        lake, "incident_clusters", inputs, trained.model, {"metrics": trained.metrics}, []
    )
    profiles = pl.DataFrame(
        [
            {
                "cluster": p["cluster"],
                "size": p["size"],
                "label": p["label"],
                "category": p["dominant_category"],
                "category_purity": p["category_purity"],
                "group": p["dominant_group"],
                "group_purity": p["group_purity"],
                "breach_rate": p["breach_rate"],
                "median_ttr_hours": p["median_ttr_hours"],
            }
            for p in trained.metrics["profiles"]
        ]
    )
    yield dg.Output(
        summary,
        metadata={
            "version": summary["version"],
            "k": trained.metrics["k"],
            "silhouette": trained.metrics["silhouette"],
            "davies_bouldin": trained.metrics["davies_bouldin"],
            "category_purity": trained.metrics["category_purity"],
            "group_purity": trained.metrics["group_purity"],
            "profiles": markdown_table(profiles),
        },
    )
