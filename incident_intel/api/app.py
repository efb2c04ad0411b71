"""The FastAPI app: scoring, similar incidents, health and stats, behind a bearer token."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import BackgroundTasks, Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from incident_intel.api.dashboard import dashboard_router
from incident_intel.api.guards import BearerToken, BodySizeLimit
from incident_intel.api.health import health_of
from incident_intel.api.holder import PromotionWatcher, ServiceHolder
from incident_intel.api.measured import Measured
from incident_intel.api.schemas import BatchIn, BatchOut, HealthOut, PredictOut, SimilarOut
from incident_intel.api.shadow import ShadowScorer
from incident_intel.api.stats import RequestStats
from incident_intel.feedback.request import FeedbackIn
from incident_intel.feedback.store import FeedbackConflict, FeedbackReceipt, FeedbackStore
from incident_intel.scoring.incident_in import IncidentIn, SourceRecordError, from_source_record
from incident_intel.scoring.service import ScoringService
from incident_intel.settings import ServeSettings
from incident_intel.shadow.log import ShadowLog
from incident_intel.silver.mapping import SchemaMapping
from incident_intel.storage.model_store import ModelStore

SOURCE_HELP = (
    "Read each incident as a record of this source mapping (e.g. servicenow_table_api, as the "
    "Table API returns it); without it, incidents use canonical field names."
)


def _invalid(loc: tuple, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": loc, "msg": message, "type": "value_error"}])


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        raise _invalid(("body",), "the body is not valid JSON") from None


def _body_schema(model: type) -> dict[str, Any]:
    """The OpenAPI request body of a route that reads its body itself."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class IncidentReader:
    """Incidents from request bodies, in canonical names or a source's, with located errors."""

    def __init__(self, mapping: SchemaMapping) -> None:
        self.mapping = mapping

    def source(self, name: str | None) -> str | None:
        if name is not None and name not in self.mapping.sources:
            known = ", ".join(sorted(self.mapping.sources))
            raise _invalid(("query", "source"), f"unknown source {name!r}; one of {known}")
        return name

    def incident(self, body: Any, source: str | None, loc: tuple) -> IncidentIn:
        if not isinstance(body, dict):
            raise _invalid(loc, "an incident is a JSON object")
        if source is not None:
            try:
                return from_source_record(body, self.mapping.source(source))
            except SourceRecordError as error:
                raise _invalid(loc, str(error)) from None
        try:
            return IncidentIn.model_validate(body)
        except ValidationError as error:
            problems = error.errors(include_url=False, include_context=False)
            raise RequestValidationError(
                [{**p, "loc": (*loc, *p["loc"]), "input": None} for p in problems]
            ) from None

    def batch(self, body: Any, source: str | None, limit: int) -> list[IncidentIn]:
        try:
            incidents = BatchIn.model_validate(body).incidents
        except ValidationError as error:
            problems = error.errors(include_url=False, include_context=False)
            raise RequestValidationError(
                [{**p, "loc": ("body", *p["loc"]), "input": None} for p in problems]
            ) from None
        if not 1 <= len(incidents) <= limit:
            raise _invalid(("body", "incidents"), f"send 1 to {limit} incidents")
        read = [self.incident(b, source, ("body", "incidents", i)) for i, b in enumerate(incidents)]
        ids = [incident.sys_id for incident in read if incident.sys_id]
        if len(ids) != len(set(ids)):
            raise _invalid(("body", "incidents"), "each incident's sys_id must be unique")
        return read


def create_app(
    load_service: Callable[[], ScoringService],
    store: ModelStore,
    feedback: FeedbackStore,
    settings: ServeSettings,
    mapping: SchemaMapping,
    token: str,
    shadow_log: ShadowLog,
    dashboard: Path | None = None,
) -> FastAPI:
    """The app; `load_service` loads the promoted models, at start and after each promotion.
    With `settings.shadow`, candidate models score each request too, into `shadow_log`.
    `dashboard` is the built dashboard page it serves at /dashboard."""
    authorised = [Depends(BearerToken(token))]
    stats = RequestStats()
    reader = IncidentReader(mapping)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.holder = await run_in_threadpool(ServiceHolder, load_service, store)
        refreshes = [app.state.holder.refresh]
        app.state.shadow = None
        if settings.shadow:
            app.state.shadow = await run_in_threadpool(ShadowScorer, store, shadow_log)
            refreshes.append(app.state.shadow.refresh)
        watcher = PromotionWatcher(refreshes, settings.reload_seconds)
        watcher.start()
        yield
        watcher.stop()

    app = FastAPI(
        title="incident_intel scoring API",
        description="SLA-breach risk, resolution time, triage and similar past incidents.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(Measured, stats=stats)
    app.include_router(dashboard_router(dashboard, authorised))

    async def score(
        request: Request, incidents: list[IncidentIn], background: BackgroundTasks
    ) -> tuple[list[dict], dict]:
        """Score with the service current when the request arrived, whatever swaps meanwhile;
        the shadow candidates score the same inputs once the response is sent."""
        service: ScoringService = request.app.state.holder.current
        received = datetime.now(UTC)
        ready = [incident.with_defaults(received) for incident in incidents]
        # One hand-over to the thread pool, not one per step: on busy cores each waited its
        # turn to be scheduled, a few milliseconds apiece.
        inputs, scored = await run_in_threadpool(service.inputs_and_scores, ready)
        stats.record_scores(scored)
        shadow: ShadowScorer | None = request.app.state.shadow
        if shadow is not None:
            background.add_task(shadow.score_and_log, inputs, scored, received)
        return scored, service.versions

    @app.post(
        "/predict",
        dependencies=authorised,
        response_model=None,
        responses={200: {"model": PredictOut}},
        openapi_extra=_body_schema(IncidentIn),
    )
    async def predict(
        request: Request,
        background: BackgroundTasks,
        source: str | None = Query(None, description=SOURCE_HELP),
    ) -> dict[str, Any]:
        """Score one incident: risk and alerts, resolution time, triage, factors, similar."""
        started = time.perf_counter()
        incident = reader.incident(await _json_body(request), reader.source(source), ("body",))
        [scored], _ = await score(request, [incident], background)
        return {**scored, "processing_time_ms": _since(started)}

    @app.post(
        "/predict/batch",
        dependencies=authorised,
        response_model=None,
        responses={200: {"model": BatchOut}},
        openapi_extra=_body_schema(BatchIn),
    )
    async def predict_batch(
        request: Request,
        background: BackgroundTasks,
        source: str | None = Query(None, description=SOURCE_HELP),
    ) -> dict[str, Any]:
        """Score up to `serve.max_batch` incidents (1,000 by default) in one request."""
        started = time.perf_counter()
        body = await _json_body(request)
        incidents = reader.batch(body, reader.source(source), settings.max_batch)
        scored, versions = await score(request, incidents, background)
        return {
            "predictions": scored,
            "model_versions": versions,
            "processing_time_ms": _since(started),
        }

    @app.get("/similar", dependencies=authorised, response_model=SimilarOut)
    async def similar(
        request: Request,
        text: str = Query(min_length=1, max_length=20_000, description="The incident's text."),
        k: int = Query(5, ge=1, le=50),
    ) -> dict[str, Any]:
        """The k resolved incidents most similar to `text`."""
        service: ScoringService = request.app.state.holder.current
        found = await run_in_threadpool(service.similar, text, k)
        return {"query": text, "similar": found}

    @app.post(
        "/feedback",
        dependencies=authorised,
        status_code=201,
        responses={200: {"model": FeedbackReceipt, "description": "Already received"}},
    )
    async def give_feedback(body: FeedbackIn, response: Response) -> FeedbackReceipt:
        """The true group or category, or the real outcome, of an incident: a label override
        for the next training. Sending the same feedback_id again changes nothing."""
        try:
            receipt = await run_in_threadpool(feedback.add, body)
        except FeedbackConflict as conflict:
            raise HTTPException(409, str(conflict)) from None
        if not receipt.created:
            response.status_code = 200
        return receipt

    @app.get("/health", response_model=HealthOut)
    async def health(request: Request) -> dict[str, Any]:
        """Open to all: the models serving, how fresh the data is, and ok or degraded."""
        return health_of(request.app.state.holder, settings.stale_after_hours, datetime.now(UTC))

    @app.get("/stats", dependencies=authorised)
    async def request_stats() -> dict[str, Any]:
        """Request counts by route and status, latency percentiles, and the action mix."""
        return stats.snapshot()

    return app


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
