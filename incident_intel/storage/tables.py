"""Every table of the lake, named once: its asset key, its warehouse name and its layer."""

from __future__ import annotations

from dataclasses import dataclass

import dagster as dg


@dataclass(frozen=True)
class Table:
    """A table's layer (the asset key prefix, group and folder) and its name."""

    layer: str
    name: str

    @property
    def key(self) -> dg.AssetKey:
        return dg.AssetKey([self.layer, self.name])

    @property
    def sql_name(self) -> str:
        """The table's name in the warehouse, schema-qualified by its layer."""
        return f"{self.layer}.{self.name}"


INCIDENT_PAGES = Table("bronze", "incident_pages")
INCIDENT_AUDIT_PAGES = Table("bronze", "incident_audit_pages")
INCIDENT_AUDIT = Table("silver", "incident_audit")
INCIDENT_VERSIONS = Table("silver", "incident_versions")
INCIDENT_REJECTS = Table("silver", "incident_rejects")
INCIDENTS = Table("silver", "incidents")
FEEDBACK = Table("silver", "feedback")
INCIDENT_FEATURES = Table("gold", "incident_features")
INCIDENT_TEXT_EMBEDDINGS = Table("gold", "incident_text_embeddings")
OPS_DAILY_STATS = Table("gold", "ops_daily_stats")
SLA_BREACH_MODEL = Table("ml", "sla_breach_model")
RESOLUTION_TIME_MODEL = Table("ml", "resolution_time_model")
TRIAGE_MODEL = Table("ml", "triage_model")
INCIDENT_CLUSTERS = Table("ml", "incident_clusters")
MODEL_EVALUATION = Table("reports", "model_evaluation")
OPEN_INCIDENT_SCORES = Table("gold", "open_incident_scores")
BUSINESS_IMPACT = Table("reports", "business_impact")
# Each day's drift of the open incidents from the breach model's reference (PSI per input column
# and of the risk): written by gold/open_incident_scores beside its scores, from the figures its
# drift checks judge, so that they can be plotted over time. Not an asset of its own.
OPEN_INCIDENT_DRIFT = Table("gold", "open_incident_drift")
SHADOW_COMPARISON = Table("reports", "shadow_comparison")
DASHBOARD = Table("reports", "dashboard")
