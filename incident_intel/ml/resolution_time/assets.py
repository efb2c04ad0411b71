"""The resolution-time model asset: trained and gated on its strongest baseline."""

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
from incident_intel.storage.tables import RESOLUTION_TIME_MODEL


@dg.asset(
    key=RESOLUTION_TIME_MODEL.key,
    op_tags=priorities.RESOLUTION_TIME_MODEL,
    deps=TRAINING_DEPS,
    group_name=RESOLUTION_TIME_MODEL.layer,
    kinds={"catboost"},
    check_specs=[
        dg.AssetCheckSpec(
            "resolution_time_model_beats_baseline",
            asset=RESOLUTION_TIME_MODEL.key,
            blocking=True,
            description="MAE in hours on the test split below the strongest baseline's: "
            "median by priority or a default CatBoost.",
        )
    ],
)
def resolution_time_model(
    context: dg.AssetExecutionContext, lake: LakeResource, settings: SettingsResource
):
    """The expected hours to resolve an incident, with an 80 % prediction interval."""
    # Imported here: ML libraries load when a model trains, not when the code location loads.
    from incident_intel.ml.resolution_time.training import train_resolution_time
    from incident_intel.ml.tabular_data import model_bundle

    inputs = gold_inputs(lake, settings.models)
    trained = train_resolution_time(inputs.features, inputs.embeddings, inputs.settings)
    summary = save_and_maybe_promote(
        lake,
        RESOLUTION_TIME_MODEL.name,
        inputs,
        model_bundle(trained.model, trained.data),
        {"metrics": trained.metrics, "features": list(trained.data.X["train"].columns)},
        [trained.gate],
    )
    model = trained.metrics["model"]
    context.log.info(
        outcome_line(
            summary,
            f"MAE {model['mae_hours']:.1f} h vs {trained.gate.baseline_value:.1f} h "
            f"({trained.gate.baseline})",
        )
    )
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
            "comparison": comparison_table(
                model,
                trained.metrics["baselines"],
                ["mae_hours", "rmse_hours", "median_ae_hours", "interval_coverage"],
            ),
        },
    )
    yield gate_result(
        RESOLUTION_TIME_MODEL.key, "resolution_time_model_beats_baseline", trained.gate
    )
