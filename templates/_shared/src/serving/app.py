"""The FastAPI application: liveness, readiness, metadata and the demo page.

What a prediction looks like is the track's business (``predictor.py`` loads
the model, ``routes.py`` declares the endpoints); this module wires them up.
The model loads once, at start-up, in the lifespan handler. If it cannot load,
the service still starts so that ``/ready`` can say why.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__
from ..config import PROJECT_NAME, Settings, get_settings
from .limits import BodySizeLimit
from .predictor import ModelLoadError, load_predictor
from .routes import build_router
from .state import ServiceState

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"


def json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_safe(item) for item in value]
    return value


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    state = ServiceState()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            state.predictor = load_predictor(settings)
            log.info("model loaded from %s", settings.model_dir)
        except ModelLoadError as error:
            state.not_ready_reason = str(error)
            log.error("serving without a model: %s", error)
        yield

    app = FastAPI(title=PROJECT_NAME, version=__version__, lifespan=lifespan)
    app.state.service = state
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        # FastAPI echoes the offending input back; a NaN there would turn a 422
        # into a 500 (JSON cannot encode it), so non-finite numbers become text.
        return JSONResponse({"detail": json_safe(jsonable_encoder(error.errors()))}, 422)

    @app.get("/health", tags=["ops"], summary="Liveness: the process answers")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/ready",
        tags=["ops"],
        summary="Readiness: the model is loaded",
        responses={503: {"description": "No model loaded; the body says why"}},
    )
    async def ready() -> JSONResponse:
        if state.predictor is None:
            return JSONResponse(
                {"status": "not ready", "reason": state.not_ready_reason}, status_code=503
            )
        return JSONResponse({"status": "ready"})

    @app.get(
        "/metadata",
        tags=["model"],
        summary="Model version, training metrics and input schema",
        responses={503: {"description": "No model loaded"}},
    )
    async def metadata() -> dict[str, Any]:
        return state.require_predictor().metadata

    app.include_router(build_router(settings, state))

    @app.get("/", include_in_schema=False)
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
