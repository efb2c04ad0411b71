"""What every model asset shares: its inputs from gold, with the labels feedback corrected, and
its way into the model store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import dagster as dg
import polars as pl

from incident_intel.feedback.overrides import LabelOverrides, apply_label_overrides
from incident_intel.feedback.table import read_feedback
from incident_intel.gold.embedding_cache import EMBEDDER_FILE
from incident_intel.metadata import markdown_table
from incident_intel.settings import ModelSettings
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.model_store import ModelStore, frame_fingerprint, version_id
from incident_intel.storage.tables import FEEDBACK, INCIDENT_FEATURES, INCIDENT_TEXT_EMBEDDINGS

if TYPE_CHECKING:
    from incident_intel.ml.gates import GateResult

TRAINING_DEPS = [INCIDENT_FEATURES.key, INCIDENT_TEXT_EMBEDDINGS.key, FEEDBACK.key]


@dataclass(frozen=True)
class GoldInputs:
    features: pl.DataFrame
    text_embeddings: pl.DataFrame
    settings: ModelSettings
    fingerprint: str
    overrides: LabelOverrides

    @property
    def embeddings(self) -> pl.DataFrame | None:
        """The embeddings the supervised models use: none when the settings turn them off."""
        return self.text_embeddings if self.settings.use_text_embeddings else None


def gold_inputs(lake: LakeResource, settings: ModelSettings) -> GoldInputs:
    """The features, their labels overridden by feedback, and the embeddings, fingerprinted
    with the labels feedback set and the model and backend that embedded."""
    features, overrides = apply_label_overrides(
        pl.read_parquet(lake.paths.table_file(INCIDENT_FEATURES)),
        read_feedback(lake.paths.table_file(FEEDBACK)),
    )
    embeddings = pl.read_parquet(lake.paths.table_file(INCIDENT_TEXT_EMBEDDINGS))
    embedder = json.loads(
        lake.paths.table_file(INCIDENT_TEXT_EMBEDDINGS, EMBEDDER_FILE).read_text()
    )
    digest = hashlib.sha256()
    digest.update(frame_fingerprint(features).encode())
    # Feedback that confirms gold's label leaves the features as they were, yet the card counts
    # it: the version covers it too, so that a card never speaks of feedback its model lacked.
    digest.update(frame_fingerprint(overrides.applied).encode())
    digest.update(frame_fingerprint(embeddings.select("sys_id", "embedding")).encode())
    digest.update(json.dumps(embedder, sort_keys=True).encode())
    return GoldInputs(features, embeddings, settings, digest.hexdigest(), overrides)


def save_and_maybe_promote(
    lake: LakeResource,
    name: str,
    inputs: GoldInputs,
    estimator: Any,
    card: dict[str, Any],
    gates: list[GateResult],
    thresholds: dict[str, Any] | None = None,
    drift_reference: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Save a version; promote it to `latest` only if every gate passed. Returns the summary."""
    store = ModelStore(lake.paths.models)
    settings = inputs.settings.model_dump()
    version = version_id(inputs.fingerprint, {"model": name, "settings": settings})
    passed = all(g.passed for g in gates)
    full_card = {
        "model": name,
        "version": version,
        "data_fingerprint": inputs.fingerprint,
        "training_window": {
            "first_opened": str(inputs.features["opened_at"].min()),
            "last_opened": str(inputs.features["opened_at"].max()),
        },
        "settings": settings,
        "feedback": inputs.overrides.card(),
        "gates": [g.as_dict() for g in gates],
        "promoted": passed,
        **card,
    }
    path = store.save(name, version, estimator, full_card, thresholds, drift_reference)
    if passed:
        store.promote(name, version)
    return {"version": version, "path": str(path), "promoted": passed, **full_card}


def outcome_line(summary: dict[str, Any], headline: str) -> str:
    """One progress line: the model, its headline figure, and whether it was promoted."""
    verdict = "promoted" if summary["promoted"] else "NOT promoted (a gate failed)"
    return f"{summary['model']} {summary['version']}: {headline}; {verdict}"


def gate_result(asset_key: dg.AssetKey, check_name: str, gate: GateResult) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key,
        check_name=check_name,
        passed=gate.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "metric": gate.metric,
            "model": gate.model_value,
            "strongest_baseline": gate.baseline,
            "baseline": gate.baseline_value,
            "advantage": gate.advantage,
            "advantage_low": gate.advantage_low,
            "advantage_high": gate.advantage_high,
            "wins": gate.wins,
            "beyond_noise": gate.beyond_noise,
        },
    )


def comparison_table(
    model: dict, baselines: dict[str, dict], keys: list[str]
) -> dg.MarkdownMetadataValue:
    """The candidate's figures beside each baseline's, as a markdown table for the UI."""
    rows = [{"model": "candidate", **{k: model.get(k) for k in keys}}]
    rows += [{"model": name, **{k: b.get(k) for k in keys}} for name, b in baselines.items()]
    return markdown_table(pl.DataFrame(rows))
