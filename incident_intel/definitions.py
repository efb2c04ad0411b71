"""The Dagster code location: assembles the layers, resources and schedules."""

import dagster as dg

from incident_intel.defs.bronze import assets as bronze_assets
from incident_intel.defs.gold import assets as gold_assets
from incident_intel.defs.ml import assets as ml_assets
from incident_intel.defs.reports import assets as report_assets
from incident_intel.defs.schedules import daily_ingest_schedule
from incident_intel.defs.silver import assets as silver_assets
from incident_intel.defs.silver import checks as silver_checks
from incident_intel.resources.embedding_model import EmbeddingModelResource
from incident_intel.resources.incident_source import build_incident_source
from incident_intel.resources.lake import LakeResource
from incident_intel.settings import data_dir

defs = dg.Definitions(
    assets=dg.load_assets_from_modules(
        [bronze_assets, silver_assets, gold_assets, ml_assets, report_assets]
    ),
    asset_checks=dg.load_asset_checks_from_modules([silver_checks]),
    schedules=[daily_ingest_schedule],
    resources={
        "source": build_incident_source(),
        "lake": LakeResource(data_dir=str(data_dir())),
        "embedding_model": EmbeddingModelResource(),
    },
)
