"""What the suite needs to know about each track's service: how to ask it for a
prediction and what a good answer looks like. One place, so the container,
project and robustness tests stay track-agnostic."""

from __future__ import annotations

from typing import Any

import httpx

# Tracks whose training needs torch (from the PyTorch wheel index).
TORCH_TRACKS = {"deep-learning", "genai"}

# Tracks whose /predict takes file uploads. An upload's schema is `format: binary`:
# whether the bytes are a decodable PNG or JPEG with a digit in it is beyond
# what OpenAPI can say, so a 4xx for schema-valid bytes is correct there and
# schemathesis's positive-data check does not apply (the projects' own tests
# check that valid pixel arrays and images are accepted).
UPLOAD_TRACKS = {"deep-learning"}

# Image 0 of scikit-learn's digits (a zero), on the data set's 0-16 scale.
DIGIT_ZERO = [
    [0, 0, 5, 13, 9, 1, 0, 0],
    [0, 0, 13, 15, 10, 15, 5, 0],
    [0, 3, 15, 2, 0, 11, 8, 0],
    [0, 4, 12, 0, 0, 8, 8, 0],
    [0, 5, 8, 0, 0, 9, 8, 0],
    [0, 4, 11, 0, 1, 12, 7, 0],
    [0, 2, 14, 5, 10, 12, 0, 0],
    [0, 0, 6, 13, 10, 0, 0, 0],
]


def example_body(track: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """A valid JSON body for POST /predict, built from the service's /metadata."""
    if track == "deep-learning":
        return {"images": [DIGIT_ZERO]}
    return {"rows": [{f["name"]: f["example"] for f in metadata["features"]}]}


def example_request(track: str, url: str) -> dict[str, Any]:
    return example_body(track, httpx.get(f"{url}/metadata").json())


def answer_of(track: str, response: dict[str, Any]) -> str:
    """The first prediction's label."""
    first = response["predictions"][0]
    return first["digit"] if track == "deep-learning" else first["prediction"]


EXPECTED_ANSWERS = {
    "classical-ml": {"benign", "malignant"},
    "deep-learning": {"0"},  # DIGIT_ZERO is a clear zero
}
