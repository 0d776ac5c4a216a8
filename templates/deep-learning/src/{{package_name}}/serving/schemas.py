"""Request and response models for /predict."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..digits import IMAGE_SIZE, MAX_PIXEL_VALUE

# A pixel as in scikit-learn's digits: 0 (background) to 16 (ink).
Pixel = Annotated[
    float, Field(ge=0, le=MAX_PIXEL_VALUE, strict=True, allow_inf_nan=False)
]  # strict: true/false and "3" are not pixels
Row = Annotated[list[Pixel], Field(min_length=IMAGE_SIZE, max_length=IMAGE_SIZE)]
Image8x8 = Annotated[list[Row], Field(min_length=IMAGE_SIZE, max_length=IMAGE_SIZE)]

EXAMPLE_ZERO = [
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]  # the first image of the data set


def pixels_request_model(max_images: int) -> type[BaseModel]:
    class PixelsRequest(BaseModel):
        """8x8 images as pixel arrays, on the data set's 0-16 scale."""

        model_config = ConfigDict(
            extra="forbid", json_schema_extra={"example": {"images": [EXAMPLE_ZERO]}}
        )
        images: list[Image8x8] = Field(min_length=1, max_length=max_images)

        def to_batch(self) -> np.ndarray:
            """(N, 1, 8, 8) float32 in [0, 1], the model's input."""
            array = np.asarray(self.images, dtype=np.float32) / MAX_PIXEL_VALUE
            return array[:, None, :, :]

    return PixelsRequest


class Prediction(BaseModel):
    digit: str = Field(description="The most likely digit")
    confidence: float = Field(description="Its probability")
    probabilities: dict[str, float] = Field(description="Probability of each digit")


class PredictResponse(BaseModel):
    model_version: str | None
    predictions: list[Prediction]
    seen: list[list[float]] | None = Field(
        None,
        description="For an upload: the 8x8 image the model saw (0-16 scale), "
        "after cropping, centring and scaling down",
    )


def upload_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary", "description": "A PNG or JPEG image"}
        },
    }
