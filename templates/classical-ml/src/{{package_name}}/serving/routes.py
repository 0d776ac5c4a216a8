"""POST /predict: one or many rows of features in, one prediction per row out.

No `from __future__ import annotations` here: FastAPI must see the request
model built at run time, not the string "request_model"."""

from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

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
    async def predict(request: request_model) -> PredictResponse:
        predictor = state.require_predictor()
        rows = [row.model_dump() for row in request.rows]
        try:
            # ONNX answers in microseconds: run it inline, a thread hop would cost more.
            # scikit-learn takes milliseconds: keep it off the event loop.
            if predictor.is_fast:
                predictions = predictor.predict(rows)
            else:
                predictions = await run_in_threadpool(predictor.predict, rows)
        except OutOfRange as error:
            detail = [{"loc": ["body", "rows"], "msg": str(error), "type": "value_error"}]
            raise HTTPException(status_code=422, detail=detail) from error
        return PredictResponse(
            model_version=predictor.metadata.get("model_version"), predictions=predictions
        )

    return router
