"""Security headers on every response, and a content policy for the demo page.

A pure ASGI middleware: it adds headers to the response start, so streaming
responses pass through untouched. The demo page loads nothing from other
origins, so its policy allows only this one; /docs keeps FastAPI's own page,
which loads Swagger UI from a CDN, and gets the headers without the policy.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMON = [
    (b"x-content-type-options", b"nosniff"),  # no guessing HTML out of a JSON answer
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),  # no framing (clickjacking), for old browsers too
]
EVERYWHERE_ELSE = [(b"content-security-policy", b"frame-ancestors 'none'")]
# The demo page: its own inline script and style, pictures drawn from data:/blob:
# URLs, requests to this origin only.
DEMO_PAGE = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self' 'unsafe-inline'; "
        b"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        b"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    )
]
DEMO_PATHS = {"/", "/index.html"}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = COMMON + (DEMO_PAGE if scope["path"] in DEMO_PATHS else EVERYWHERE_ELSE)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(name, value) for name, value in extra if name not in present]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, with_headers)
