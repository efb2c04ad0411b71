"""`incident-intel serve`: the app over this project's lake, settings and token, on uvicorn."""

from __future__ import annotations

import os

from fastapi import FastAPI

from incident_intel.api.app import create_app
from incident_intel.api.guards import TOKEN_ENV
from incident_intel.feedback.store import FeedbackStore
from incident_intel.gold.embeddings import DEFAULT_MAX_SEQ_LENGTH, TextEmbedder
from incident_intel.scoring.service import ScoringService
from incident_intel.settings import ProjectSettings, data_dir
from incident_intel.shadow.log import ShadowLog
from incident_intel.silver.mapping import load_schema_mapping
from incident_intel.storage.model_store import ModelStore
from incident_intel.storage.paths import DASHBOARD_INDEX, LakePaths
from incident_intel.storage.tables import DASHBOARD


def project_app(token: str | None = None) -> FastAPI:
    """The API over the lake at $INCIDENT_INTEL_DATA_DIR with config/config.yaml's settings."""
    token = token if token is not None else os.environ.get(TOKEN_ENV, "")
    settings = ProjectSettings.load()
    paths = LakePaths(data_dir())
    # Requests are scored side by side in the thread pool, so each embeds on one thread: torch's
    # own threads on top would oversubscribe the cores (on 2 busy cores, one text took 420 ms
    # at p50 with 2 threads, 72 ms with 1).
    embedder = TextEmbedder(max_seq_length=DEFAULT_MAX_SEQ_LENGTH, num_threads=1)
    return create_app(
        lambda: ScoringService.load_from(paths, settings, embedder),
        ModelStore(paths.models),
        FeedbackStore(paths.feedback),
        settings.serve,
        load_schema_mapping(),
        token,
        ShadowLog(paths.shadow_log),
        paths.table_file(DASHBOARD, DASHBOARD_INDEX),
    )


def serve(host: str | None, port: int | None) -> None:
    import uvicorn
    from threadpoolctl import threadpool_limits

    # For the same reason as the embedder's one thread: a request scores one incident or a
    # few, where BLAS and OpenMP threads cost more to wake than they save, and concurrent
    # requests already keep the cores busy.
    threadpool_limits(limits=1)
    settings = ProjectSettings.load().serve
    try:
        app = project_app()
    except ValueError as error:
        raise SystemExit(str(error)) from None
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")
