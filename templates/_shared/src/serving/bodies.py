"""JSON request bodies read in one pass, from bytes straight to a pydantic model.

A FastAPI body parameter decodes the JSON into Python objects, then validates
those. ``model_validate_json`` does both at once in pydantic's Rust core. For a
single row, that saves about a fifth of a request's time inside the app.
Errors look exactly like FastAPI's own 422s (``loc`` starts with ``"body"``),
and ``json_request_body`` puts the same schema in OpenAPI.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect


def content_type(request: Request) -> str:
    """The media type alone: no parameters such as ``charset``, lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


# A 422 names the first few problems and counts the rest: echoing every error of a
# large invalid body (each with its input) made a 3 KB request cost a 3 MB answer.
MAX_ERRORS_SHOWN = 10


class BodyValidationError(RequestValidationError):
    """FastAPI's 422 for a body, holding only the errors it will show and the count.

    Converting all 1,000 errors of a 3 KB body of empty rows took the event loop
    longer than validating it; 16 such clients at once slowed /health for everyone.
    """

    def __init__(self, errors: list[dict[str, Any]], count: int) -> None:
        super().__init__(errors)
        self.count = count


def body_errors(error: ValidationError) -> list[dict[str, Any]]:
    """pydantic's first errors as FastAPI reports body errors (loc starts with "body").

    A body that is not JSON comes back as its raw bytes, which may not even be
    UTF-8; they are echoed as text so the 422 itself can always be encoded.
    """
    details = []
    for detail in error.errors(include_url=False)[:MAX_ERRORS_SHOWN]:
        if isinstance(detail.get("input"), bytes):
            detail["input"] = detail["input"].decode("utf-8", errors="replace")
        details.append({**detail, "loc": ("body", *detail["loc"])})
    return details


async def read_json(request: Request, model: type[BaseModel]) -> Any:
    """The body validated as ``model``; 415 if it is not JSON, 422 if it is invalid.

    A body without a Content-Type is refused too: a browser sends such a POST to
    another site without asking first (no CORS preflight), and one that says
    application/json it must ask about.

    Typed ``Any``: the request models are built at run time from the exported
    model, so no static type knows their fields.
    """
    if content_type(request) != "application/json":
        raise HTTPException(415, "send the body as application/json")
    return await parse_json(request, model)


async def parse_json(request: Request, model: type[BaseModel]) -> Any:
    """``read_json`` for a route that has already checked the content type itself."""
    try:
        body = await request.body()
    except ClientDisconnect as error:
        # Also what the size limit reports after answering 413 itself; no one hears this.
        raise HTTPException(400, "the client left before sending the whole body") from error
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise BodyValidationError(body_errors(error), error.error_count()) from error


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema with nested models written in place.

    OpenAPI cannot resolve pydantic's local ``#/$defs/...`` references from
    inside an operation, so each one is replaced by the schema it names.
    """
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """An OpenAPI ``requestBody`` for routes that read their body with ``read_json``."""
    return {"required": True, "content": {"application/json": {"schema": json_schema(model)}}}
