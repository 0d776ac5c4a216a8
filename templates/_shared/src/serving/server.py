"""Run the service: uvicorn, with the application and the settings it is given.

One place for how the process serves, whichever command starts it (``serve``,
the Docker image's CMD through it).
"""

from __future__ import annotations

import logging

import uvicorn

from ..config import Settings
from .app import create_app


def serve_forever(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        access_log=settings.access_log,  # errors are logged either way
    )
