"""The models' run starts the chain to the models first, then the models longest first."""

from incident_intel.definitions import build_definitions
from incident_intel.priorities import PRIORITY_TAG
from incident_intel.settings import ProjectSettings


def test_the_chain_to_the_models_outranks_every_other_step_and_each_model_is_ranked(tmp_path):
    job = build_definitions(
        ProjectSettings.load(), tmp_path
    ).resolve_implicit_global_asset_job_def()
    ranks = {node.name: int(node.tags.get(PRIORITY_TAG, 0)) for node in job.graph.node_defs}
    chain = {
        "gold__incident_features",
        "gold__incident_features_incident_features_known_at_prediction",
        "gold__incident_text_embeddings",
    }
    models = [
        "ml__resolution_time_model",
        "ml__sla_breach_model",
        "ml__triage_model",
        "ml__incident_clusters",
    ]
    assert min(ranks[step] for step in chain) > max(
        rank for step, rank in ranks.items() if step not in chain
    )
    assert [ranks[m] for m in models] == sorted((ranks[m] for m in models), reverse=True)
    assert len({ranks[m] for m in models}) == len(models) and min(ranks[m] for m in models) > 0
