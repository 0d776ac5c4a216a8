"""What the running service knows: the loaded predictor, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException


@dataclass
class ServiceState:
    predictor: Any = None
    # False until the whole model has loaded; meanwhile the predictor may already
    # answer part of the API (genai: search, while the language model loads).
    ready: bool = False
    not_ready_reason: str = "the model is still loading"

    def require_predictor(self) -> Any:
        """The predictor, or a 503 that tells the client why there is none."""
        if self.predictor is None:
            raise HTTPException(
                status_code=503, detail=f"model not loaded: {self.not_ready_reason}"
            )
        return self.predictor

    def require_ready(self) -> Any:
        """The predictor once the whole model has loaded, or a 503 that says why not."""
        if not self.ready:
            raise HTTPException(
                status_code=503, detail=f"model not loaded: {self.not_ready_reason}"
            )
        return self.predictor
