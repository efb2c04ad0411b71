"""The incident archetypes asset: clusters with their profiles."""

import dagster as dg
import polars as pl

from incident_intel import priorities
from incident_intel.metadata import markdown_table
from incident_intel.ml.promotion import (
    TRAINING_DEPS,
    gold_inputs,
    outcome_line,
    save_and_maybe_promote,
)
from incident_intel.settings import SettingsResource
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.tables import INCIDENT_CLUSTERS


@dg.asset(
    key=INCIDENT_CLUSTERS.key,
    op_tags=priorities.INCIDENT_CLUSTERS,
    deps=TRAINING_DEPS,
    group_name=INCIDENT_CLUSTERS.layer,
    kinds={"scikitlearn"},
)
def incident_clusters(
    context: dg.AssetExecutionContext, lake: LakeResource, settings: SettingsResource
):
    """Incident archetypes with their size, top terms, dominant fields, outcomes and exemplars."""
    # Imported here: ML libraries load when a model trains, not when the code location loads.
    from incident_intel.ml.archetypes.training import train_clusters

    inputs = gold_inputs(lake, settings.models)
    trained = train_clusters(inputs.features, inputs.text_embeddings, inputs.settings)
    summary = save_and_maybe_promote(
        lake, INCIDENT_CLUSTERS.name, inputs, trained.model, {"metrics": trained.metrics}, []
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
    context.log.info(
        outcome_line(
            summary,
            f"k = {trained.metrics['k']}, silhouette {trained.metrics['silhouette']:.3f}",
        )
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
