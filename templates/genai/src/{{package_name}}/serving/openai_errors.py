"""OpenAI's error shape for every route under /v1.

Every refusal under ``/v1`` is ``{"error": {"message", "type", "param",
"code"}}`` with OpenAI's status (400 for an invalid request, not FastAPI's
422), so that OpenAI's clients raise ``BadRequestError`` and friends with
``param`` naming the field. The rest of the service keeps FastAPI's
``{"detail": ...}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

PREFIX = "/v1"


def is_openai_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


def error_body(status: int, message: str, param: str | None, code: str | None) -> dict[str, Any]:
    """The error body OpenAI's clients parse."""
    kind = "invalid_request_error" if status < 500 else "server_error"
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def openai_error(status: int, message: str, param: str | None, code: str | None) -> JSONResponse:
    return JSONResponse(error_body(status, message, param, code), status_code=status)


# Codes for refusals that are not about one field, by status.
HTTP_ERROR_CODES = {
    400: "invalid_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    415: "unsupported_media_type",
    431: "request_header_fields_too_large",
    503: "model_not_loaded",
}


def unknown_model(model: str) -> JSONResponse:
    return openai_error(404, f"model {model!r} is not served here", "model", "model_not_found")


def http_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A refusal that is not about one field; its headers (a 405's Allow) are kept."""
    response = openai_error(status, message, None, HTTP_ERROR_CODES.get(status))
    response.headers.update(headers or {})
    return response


def limit_error_body(path: str, status: int, message: str) -> dict[str, Any]:
    """The request limits' 413 and 431 bodies: OpenAI's shape under /v1, FastAPI's elsewhere."""
    if is_openai_path(path):
        return error_body(status, message, None, HTTP_ERROR_CODES.get(status))
    return {"detail": message}


def param_of(location: Sequence[Any]) -> str | None:
    """A field's place as OpenAI writes it: ("body", "messages", 0, "role") -> messages[0].role.

    pydantic adds the name of the union member it tried (``str``, ``list[TextPart]``,
    a function name): those are not fields and are left out.
    """
    param = ""
    for part in location[1:] if location and location[0] == "body" else location:
        if isinstance(part, int):
            param += f"[{part}]"
        elif part.isidentifier():
            param += f".{part}" if param else part
    return param or None


def validation_error(errors: Sequence[Any], count: int) -> JSONResponse:
    """A 400 naming the first invalid field, as OpenAI answers an invalid request."""
    first = errors[0]
    if first["type"] == "json_invalid":
        message = f"We could not parse the JSON body of your request: {first['msg']}"
        return openai_error(400, message, None, "invalid_json")
    param = param_of(first["loc"])
    if first["type"] == "missing":
        message = f"Missing required parameter: '{param}'."
        return openai_error(400, message, param, "missing_required_parameter")
    if first["type"] == "extra_forbidden":
        message = f"Unrecognized request argument supplied: {param}"
        return openai_error(400, message, param, "unsupported_parameter")
    message = f"Invalid '{param}': {first['msg']}."
    if count > 1:
        message += f" ({count - 1} more problem{'s' if count > 2 else ''} in this request.)"
    return openai_error(400, message, param, "invalid_value")
