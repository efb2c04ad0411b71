"""The Dagster code location: assembles the layers, resources, schedule and sensor from the
settings."""

import os
from pathlib import Path

import dagster as dg

from incident_intel.feedback import assets as feedback
from incident_intel.feedback import checks as feedback_checks
from incident_intel.gold import assets as gold
from incident_intel.gold import checks as gold_checks
from incident_intel.gold.embedding_model import EmbeddingModelResource
from incident_intel.ingest.assets import build_bronze_assets
from incident_intel.ingest.source import build_incident_source
from incident_intel.last_call import LastCall
from incident_intel.metadata import owned_by_team
from incident_intel.ml.archetypes import assets as archetypes
from incident_intel.ml.breach import assets as breach
from incident_intel.ml.resolution_time import assets as resolution_time
from incident_intel.ml.triage import assets as triage
from incident_intel.partitions import daily_partitions
from incident_intel.reports import assets as reports
from incident_intel.reports.dashboard import assets as dashboard
from incident_intel.schedules import daily_ingest_schedule
from incident_intel.scoring.assets import build_open_incident_scores
from incident_intel.sensors import retraining_sensor
from incident_intel.settings import ProjectSettings, data_dir
from incident_intel.silver import checks as silver_checks
from incident_intel.silver.assets import build_silver_assets
from incident_intel.storage.lake import LakeResource
from incident_intel.storage.paths import LakePaths
from incident_intel.storage.warehouse import warehouse_at

LAYERS = [feedback, gold, breach, resolution_time, triage, archetypes, reports, dashboard]


def build_definitions(settings: ProjectSettings, root: Path) -> dg.Definitions:
    partitions = daily_partitions(settings.partitions_start_date)
    daily = [*build_bronze_assets(partitions), *build_silver_assets(partitions)]
    return dg.Definitions(
        assets=dg.map_asset_specs(
            owned_by_team,
            [*daily, *dg.load_assets_from_modules(LAYERS), build_open_incident_scores(partitions)],
        ),
        asset_checks=dg.load_asset_checks_from_modules(
            [silver_checks, feedback_checks, gold_checks]
        ),
        schedules=[daily_ingest_schedule(partitions)],
        sensors=[retraining_sensor],
        resources={
            "settings": settings.resource(),
            "source": build_incident_source(settings),
            "lake": LakeResource(data_dir=str(root)),
            "warehouse": warehouse_at(LakePaths(root).warehouse),
            "embedding_model": EmbeddingModelResource(),
        },
    )


# Dagster calls `defs` again each time it reconstructs the job in a process (six times in one
# `dagster asset materialize`, 0.1 to 0.2 s each): the same settings, data root and environment
# give back the same build.
_build_once = LastCall(lambda settings, root, _environment: build_definitions(settings, root))


@dg.definitions
def defs() -> dg.Definitions:
    return _build_once(ProjectSettings.load(), data_dir(), dict(os.environ))
