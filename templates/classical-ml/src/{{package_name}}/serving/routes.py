"""POST /predict: one or many rows of features in, one prediction per row out.

No `from __future__ import annotations` here: FastAPI must see the request
model built at run time, not the string "request_model"."""

from typing import Any

from fastapi import APIRouter, HTTPException

from ..config import Settings
from ..export import ModelLoadError, read_metadata
from .predictor import OutOfRange
from .schemas import PredictResponse, build_request_model, build_row_model
from .state import ServiceState


def build_router(settings: Settings, state: ServiceState) -> APIRouter:
    try:
        features = read_metadata(settings.model_dir)["features"]
    except (ModelLoadError, KeyError, TypeError):
        features = None  # /ready reports the reason; /predict answers 503
    request_model: Any = build_request_model(build_row_model(features), settings.max_batch_rows)
    router = APIRouter(tags=["model"])

    # A plain `def` runs in the thread pool, so a slow batch never blocks the event loop.
    @router.post(
        "/predict",
        response_model=PredictResponse,
        summary="Predict one or many rows",
        responses={
            400: {"description": "Body is not decodable (for example invalid UTF-8)"},
            413: {"description": "Request body over the size limit"},
            503: {"description": "No model loaded"},
        },
    )
    def predict(request: request_model) -> PredictResponse:
        predictor = state.require_predictor()
        rows = [row.model_dump() for row in request.rows]
        try:
            predictions = predictor.predict(rows)
        except OutOfRange as error:
            detail = [{"loc": ["body", "rows"], "msg": str(error), "type": "value_error"}]
            raise HTTPException(status_code=422, detail=detail) from error
        return PredictResponse(
            model_version=predictor.metadata.get("model_version"), predictions=predictions
        )

    return router
