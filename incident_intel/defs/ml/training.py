"""Shared wiring for model assets: inputs from gold, artefacts to the model store."""

from dataclasses import dataclass
from typing import Any

import dagster as dg
import polars as pl

from incident_intel.lake.model_store import ModelStore, frame_fingerprint, version_id
from incident_intel.ml.gates import GateResult
from incident_intel.modeling.settings import model_settings
from incident_intel.resources.lake import LakeResource


@dataclass(frozen=True)
class GoldInputs:
    features: pl.DataFrame
    text_embeddings: pl.DataFrame
    settings: dict[str, Any]
    fingerprint: str

    @property
    def embeddings(self) -> pl.DataFrame | None:
        """The embeddings the supervised models use: none when the config turns them off."""
        return self.text_embeddings if self.settings.get("use_text_embeddings", True) else None


def gold_inputs(lake: LakeResource) -> GoldInputs:
    features = pl.read_parquet(lake.paths.table_file("gold", "incident_features"))
    embeddings = pl.read_parquet(lake.paths.table_file("gold", "incident_text_embeddings"))
    return GoldInputs(features, embeddings, model_settings(), frame_fingerprint(features))


def save_and_maybe_promote(
    lake: LakeResource,
    name: str,
    inputs: GoldInputs,
    estimator: Any,
    card: dict[str, Any],
    gates: list[GateResult],
    thresholds: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Save a version; promote it to `latest` only if every gate passed. Returns the summary."""
    store = ModelStore(lake.paths.models)
    version = version_id(inputs.fingerprint, {"model": name, "settings": inputs.settings})
    passed = all(g.passed for g in gates)
    full_card = {
        "model": name,
        "version": version,
        "data_fingerprint": inputs.fingerprint,
        "training_window": {
            "first_opened": str(inputs.features["opened_at"].min()),
            "last_opened": str(inputs.features["opened_at"].max()),
        },
        "settings": inputs.settings,
        "gates": [g.as_dict() for g in gates],
        "promoted": passed,
        **card,
    }
    path = store.save(name, version, estimator, full_card, thresholds)
    if passed:
        store.promote(name, version)
    return {"version": version, "path": str(path), "promoted": passed, **full_card}


def gate_result(asset_key: dg.AssetKey, check_name: str, gate: GateResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=gate.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "metric": gate.metric,
            "model": gate.model_value,
            "baseline": gate.baseline_value,
        },
    )
