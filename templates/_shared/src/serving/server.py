"""Run the service: uvicorn, with the application and the settings it is given.

One place for how the process serves, whichever command starts it (``serve``,
the Docker image's CMD through it).
"""

from __future__ import annotations

import logging

import uvicorn

from ..config import Settings
from .app import create_app
from .connection import bounded_headers


def server_config(settings: Settings, **overrides: object) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,  # errors are logged either way
        # h11 with a header deadline and a 431, never httptools (connection.py)
        http=bounded_headers(settings.header_timeout_seconds),
        h11_max_incomplete_event_size=settings.max_header_bytes,
        **overrides,
    )


def serve_forever(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.Server(server_config(settings)).run()
