"""GET /dashboard: the page reports/dashboard last built, behind the API's bearer token."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.params import Depends
from fastapi.responses import FileResponse, HTMLResponse

NOT_BUILT = (
    "the dashboard is not built yet: materialise reports/dashboard "
    "(`make run` builds it after scoring the open incidents)"
)


def dashboard_router(index: Path | None, dependencies: list[Depends]) -> APIRouter:
    """The route serving the file at `index`; None: this API has no dashboard to serve."""
    router = APIRouter()

    @router.get(
        "/dashboard",
        dependencies=dependencies,
        response_class=HTMLResponse,
        responses={404: {"description": "The dashboard has not been built yet."}},
    )
    async def dashboard() -> FileResponse:
        """The operations and model dashboard, as one self-contained HTML page."""
        if index is None or not index.is_file():
            raise HTTPException(404, NOT_BUILT)
        return FileResponse(index, media_type="text/html")

    return router
