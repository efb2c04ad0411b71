"""The SLA-breach model asset: trained, gated on its baselines, and watched for leakage."""

import dagster as dg

from incident_intel import priorities
from incident_intel.ml.promotion import (
    TRAINING_DEPS,
    comparison_table,
    gate_result,
    gold_inputs,
    outcome_line,
    save_and_maybe_promote,
)
from incident_intel.settings import SettingsResource
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import SLA_BREACH_MODEL


@dg.asset(
    key=SLA_BREACH_MODEL.key,
    op_tags=priorities.SLA_BREACH_MODEL,
    deps=TRAINING_DEPS,
    group_name=SLA_BREACH_MODEL.layer,
    kinds={"catboost"},
    check_specs=[
        dg.AssetCheckSpec(
            "sla_breach_model_beats_baseline",
            asset=SLA_BREACH_MODEL.key,
            blocking=True,
            description="PR AUC on the test split above the strongest baseline's: priority "
            "rate, logistic regression or a default CatBoost.",
        ),
        dg.AssetCheckSpec(
            "sla_breach_model_leakage_sentinel",
            asset=SLA_BREACH_MODEL.key,
            description="No single feature alone reaches an out-of-fold ROC AUC above 0.95.",
        ),
    ],
)
def sla_breach_model(
    context: dg.AssetExecutionContext, lake: LakeResource, settings: SettingsResource
):
    """The calibrated probability that an incident breaches its SLA, from what is known early."""
    # Imported here: ML libraries load when a model trains, not when the code location loads.
    from incident_intel.ml.breach.training import train_breach
    from incident_intel.ml.gates import leakage_sentinel
    from incident_intel.ml.tabular_data import model_bundle

    inputs = gold_inputs(lake, settings.models)
    trained = train_breach(
        inputs.features, inputs.embeddings, inputs.settings, settings.drift.min_incidents
    )
    summary = save_and_maybe_promote(
        lake,
        SLA_BREACH_MODEL.name,
        inputs,
        model_bundle(trained.model, trained.data),
        {"metrics": trained.metrics, "features": list(trained.data.X["train"].columns)},
        [trained.gate],
        trained.thresholds,
        trained.drift_reference.as_dict(),
    )
    model = trained.metrics["model"]
    context.log.info(
        outcome_line(
            summary,
            f"PR AUC {model['pr_auc']:.3f} vs {trained.gate.baseline_value:.3f} "
            f"({trained.gate.baseline})",
        )
    )
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
            "comparison": comparison_table(
                model, trained.metrics["baselines"], ["roc_auc", "pr_auc", "brier"]
            ),
        },
    )
    yield gate_result(SLA_BREACH_MODEL.key, "sla_breach_model_beats_baseline", trained.gate)
    suspects = leakage_sentinel(
        trained.data.X["train"],
        trained.data.rows["train"]["sla_breached"].cast(int).to_numpy(),
        seed=inputs.settings.seed,
    )
    yield dg.AssetCheckResult(
        asset_key=SLA_BREACH_MODEL.key,
        check_name="sla_breach_model_leakage_sentinel",
        passed=not suspects,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"suspects": ", ".join(f"{k} ({v:.3f})" for k, v in suspects.items()) or "none"},
    )
