"""POST /predict: an uploaded picture of a digit, or 8x8 pixel arrays, in; digits out.

One endpoint, two bodies: ``multipart/form-data`` with a ``file`` (what a
browser or ``curl -F file=@digit.png`` sends) or JSON ``{"images": [...]}``.
The body is read by hand so both can be documented and checked precisely.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from ..config import Settings
from ..digits import MAX_PIXEL_VALUE
from .bodies import content_type, json_schema, read_json
from .images import ImageError, decode_upload
from .schemas import PredictResponse, pixels_request_model, upload_schema
from .state import ServiceState


def build_router(settings: Settings, state: ServiceState) -> APIRouter:
    pixels_model = pixels_request_model(settings.max_batch_images)
    router = APIRouter(tags=["model"])
    request_body = {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": upload_schema()},
            "application/json": {"schema": json_schema(pixels_model)},
        },
    }
    errors: dict[int | str, dict[str, Any]] = {
        400: {"description": "Body is not decodable (malformed multipart or JSON)"},
        413: {"description": "Request body or image over the size limit"},
        415: {"description": "Not a PNG or JPEG image, or an unsupported content type"},
        422: {"description": "Invalid pixels, an empty or blank image, or no file field"},
        503: {"description": "No model loaded"},
    }

    async def read_images(request: Request) -> tuple[Any, bool]:
        """The (N, 1, 8, 8) batch, and whether it came from an upload."""
        media_type = content_type(request)
        if media_type == "multipart/form-data":
            # Starlette answers 400 itself for malformed bodies and too many parts.
            form = await request.form(max_files=1, max_fields=10)
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise HTTPException(422, "send the image as a file in a form field named 'file'")
            try:
                return decode_upload(await upload.read(), settings.max_image_pixels), True
            except ImageError as error:
                raise HTTPException(error.status_code, str(error)) from error
        if media_type in ("application/json", ""):
            return (await read_json(request, pixels_model)).to_batch(), False
        raise HTTPException(415, "send multipart/form-data with a 'file', or application/json")

    @router.post(
        "/predict",
        response_model=PredictResponse,
        summary="Recognise the digit in an uploaded image, or in 8x8 pixel arrays",
        responses=errors,
        openapi_extra={"requestBody": request_body},
    )
    async def predict(request: Request) -> JSONResponse:
        predictor = state.require_predictor()
        images, uploaded = await read_images(request)
        # Tens of microseconds of ONNX: inline, a thread hop would cost more.
        predictions = predictor.predict(images)
        seen = (images[0, 0] * MAX_PIXEL_VALUE).round(2).tolist() if uploaded else None
        # Already JSON-ready: returned as it is, FastAPI skips re-validating it against
        # PredictResponse (which still documents it).
        return JSONResponse(
            {
                "model_version": predictor.metadata.get("model_version"),
                "predictions": predictions,
                "seen": seen,
            }
        )

    return router
