"""Refuse oversized requests before they are parsed: bodies over a size limit
with 413, requests with too many header lines with 431.

Pure ASGI middlewares. The body limit checks Content-Length up front and also
counts the bytes of bodies sent without one (chunked), so neither can exhaust
memory. The size of the header block is the server's to bound (connection.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """``error_body(path, status, message)`` shapes the 413's JSON; FastAPI's
    ``{"detail"}`` if None."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        error_body: Callable[[str, int, str], dict[str, Any]] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return

        received = 0
        refused = False

        async def counting_receive() -> Message:
            # Past the limit: answer 413 ourselves and tell the app the client left.
            # (Raising here would not work: FastAPI turns body errors into a 400.)
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # after a 413, whatever the app says is dropped
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        message = f"request body is larger than the limit of {self.max_bytes} bytes"
        await refuse(scope, send, 413, message, self.error_body)


class HeaderCountLimit:
    """Requests with more than ``max_count`` header lines get a 431."""

    def __init__(
        self,
        app: ASGIApp,
        max_count: int,
        error_body: Callable[[str, int, str], dict[str, Any]] | None = None,
    ) -> None:
        self.app = app
        self.max_count = max_count
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and len(scope["headers"]) > self.max_count:
            message = f"the request has more than {self.max_count} header lines"
            await refuse(scope, send, 431, message, self.error_body)
            return
        await self.app(scope, receive, send)


async def refuse(
    scope: Scope,
    send: Send,
    status: int,
    message: str,
    error_body: Callable[[str, int, str], dict[str, Any]] | None,
) -> None:
    """Answer with ``error_body(path, status, message)`` as JSON (FastAPI's
    ``{"detail"}`` if None) and close the connection."""
    shaped = error_body(scope["path"], status, message) if error_body else {"detail": message}
    body = json.dumps(shaped).encode()
    headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
