"""The triage model asset: one classifier per target, gated on its strongest baseline."""

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
from incident_intel.storage.tables import TRIAGE_MODEL


@dg.asset(
    key=TRIAGE_MODEL.key,
    op_tags=priorities.TRIAGE_MODEL,
    deps=TRAINING_DEPS,
    group_name=TRIAGE_MODEL.layer,
    kinds={"scikitlearn"},
    check_specs=[
        dg.AssetCheckSpec(
            "triage_model_beats_baseline",
            asset=TRIAGE_MODEL.key,
            blocking=True,
            description="Top-1 accuracy on the test split above the strongest baseline's, "
            "TF-IDF + linear or a default CatBoost, per target.",
        )
    ],
)
def triage_model(context: dg.AssetExecutionContext, lake: LakeResource, settings: SettingsResource):
    """Suggested category and assignment group with top-3 confidence and a routing action."""
    # Imported here: ML libraries load when a model trains, not when the code location loads.
    from incident_intel.ml.triage.training import train_triage

    inputs = gold_inputs(lake, settings.models)
    trained = {
        t: train_triage(inputs.features, inputs.embeddings, t, inputs.settings)
        for t in inputs.settings.triage.targets
    }
    gates = [t.gate for t in trained.values()]
    summary = save_and_maybe_promote(
        lake,
        TRIAGE_MODEL.name,
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
        metadata[f"{target}_comparison"] = comparison_table(
            model,
            result.metrics["baselines"],
            ["top1_accuracy", "top3_accuracy", "macro_f1", "coverage_at_target_precision"],
        )
    top1 = ", ".join(
        f"{t} top-1 {r.metrics['model']['top1_accuracy']:.3f}" for t, r in trained.items()
    )
    context.log.info(outcome_line(summary, top1))
    yield dg.Output(summary, metadata=metadata)
    worst = next((g for g in gates if not g.passed), gates[0])
    yield gate_result(TRIAGE_MODEL.key, "triage_model_beats_baseline", worst)
