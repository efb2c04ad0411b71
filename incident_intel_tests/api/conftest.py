import pytest
from fastapi.testclient import TestClient

from incident_intel.api.app import create_app
from incident_intel.feedback.store import FeedbackStore
from incident_intel.gold.embedding_model import shared_embedder
from incident_intel.gold.embeddings import DEFAULT_MAX_SEQ_LENGTH
from incident_intel.scoring.service import ScoringService
from incident_intel.settings import ProjectSettings, ServeSettings
from incident_intel.shadow.log import ShadowLog
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import LakePaths

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def lake_app(root, serve: ServeSettings | None = None):
    """The API over the lake at `root`, with this project's settings."""
    settings = ProjectSettings.load()
    paths = LakePaths(root)
    embedder = shared_embedder("auto", DEFAULT_MAX_SEQ_LENGTH, 64)
    return create_app(
        lambda: ScoringService.load_from(paths, settings, embedder),
        ModelStore(paths.models),
        FeedbackStore(paths.feedback),
        serve or settings.serve,
        load_schema_mapping(),
        TOKEN,
        ShadowLog(paths.shadow_log),
    )


@pytest.fixture(scope="session")
def api_app(trained_lake):
    root, _ = trained_lake
    return lake_app(root, ServeSettings(max_body_bytes=200_000, max_batch=50))


@pytest.fixture(scope="session")
def client(api_app):
    with TestClient(api_app) as session:
        yield session
