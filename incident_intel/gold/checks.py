"""Gold data checks: pure functions over the feature table, wrapped as Dagster checks."""

import dagster as dg
import polars as pl

from incident_intel import priorities
from incident_intel.settings import SettingsResource
from incident_intel.silver.checks import CheckOutcome
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import INCIDENT_FEATURES


def known_at_prediction(features: pl.DataFrame, limit: float) -> CheckOutcome:
    """Fails when more than `limit` of the incidents have no version by their prediction time.

    Their features would have to come from a later version, which carries the outcome.
    """
    unknown = features.filter(~pl.col("known_at_prediction"))
    share = unknown.height / features.height if features.height else 0.0
    lag = float(unknown["as_of_lag_hours"].median() or 0.0)
    passed = share <= limit
    description = None
    if not passed:
        description = (
            f"{unknown.height} of {features.height} incidents ({share:.1%}, limit {limit:.0%}) "
            f"have no version at or before their prediction time; their first version lies a "
            f"median {lag:.1f} h later. The source served them only as they are now, so what "
            "was known when they opened is lost, and training on it would leak the outcome. "
            "Give the integration user read access to sys_audit (see the README), or pull "
            "each day as it ends."
        )
    return CheckOutcome(
        passed,
        {
            "incidents": features.height,
            "unknown_at_prediction": unknown.height,
            "unknown_share": share,
            "limit": limit,
            "median_as_of_lag_hours": lag,
        },
        description,
    )


@dg.asset_check(asset=INCIDENT_FEATURES.key, blocking=True, op_tags=priorities.CRITICAL_PATH)
def incident_features_known_at_prediction(
    lake: LakeResource, settings: SettingsResource
) -> dg.AssetCheckResult:
    """Few incidents lack a version by their prediction time (features.max_unknown_share)."""
    features = pl.read_parquet(
        lake.paths.table_file(INCIDENT_FEATURES), columns=["known_at_prediction", "as_of_lag_hours"]
    )
    return known_at_prediction(features, settings.features.max_unknown_share).to_result(
        INCIDENT_FEATURES.key, "incident_features_known_at_prediction"
    )
