"""POST /search: a query in, the best-matching chunks out, with their sources."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..config import Settings
from .bodies import json_request_body, read_json
from .schemas import SearchResponse, search_request_model
from .state import ServiceState


def build_router(settings: Settings, state: ServiceState) -> APIRouter:
    request_model = search_request_model(settings.max_query_chars, settings.max_k)
    router = APIRouter(tags=["search"])
    errors: dict[int | str, dict[str, Any]] = {
        400: {"description": "Body is not decodable"},
        413: {"description": "Request body over the size limit"},
        415: {"description": "Body is not JSON"},
        422: {"description": "Empty, blank or too long query, or k out of range"},
        503: {"description": "No index loaded"},
    }

    @router.post(
        "/search",
        response_model=SearchResponse,
        summary="Find the chunks that best match a query",
        responses=errors,
        openapi_extra={"requestBody": json_request_body(request_model)},
    )
    async def search(request: Request) -> JSONResponse:
        body = await read_json(request, request_model)
        searcher = state.require_predictor()
        results = searcher.search([body.query], body.k)[0]
        return JSONResponse({"query": body.query, "results": results})

    return router
