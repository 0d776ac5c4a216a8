"""What the suite needs to know about each track's service: how to ask it for a
prediction and what a good answer looks like. One place, so the container,
project and robustness tests stay track-agnostic."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from PIL import Image, ImageDraw

# Tracks whose training needs torch (from the PyTorch wheel index).
TORCH_TRACKS = {"deep-learning", "genai"}

# Tracks whose /predict takes file uploads. Whether bytes are a decodable PNG or
# JPEG with something in it is beyond what OpenAPI can say, so schemathesis
# draws those from tests/schemathesis_pictures.py.
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


def picture_png(size: int = 96) -> bytes:
    """A dark circle on white paper, as a PNG: a picture for image classifiers."""
    picture = Image.new("RGB", (size, size), "white")
    ImageDraw.Draw(picture).ellipse((size // 5, size // 5, size * 4 // 5, size * 4 // 5), "navy")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def takes_pictures(metadata: dict[str, Any]) -> bool:
    """An image classifier on RGB pictures (deep-learning from intermediate up)."""
    return metadata.get("input", {}).get("shape", [None])[0] == 3


# A question the sample collection of the genai project answers in one file.
SEARCH_QUERY = "how do I deploy a web service to Render with a blueprint"
SEARCH_ANSWER = "deploying-to-render.md"


def query_route(track: str) -> str:
    """The route that answers a track's questions."""
    return "/search" if track == "genai" else "/predict"


def build_command(track: str, level: str) -> list[str]:
    """`<slug> ...` that makes what the service serves: a model, or a search index."""
    return ["index"] if track == "genai" else ["train", *train_args(track, level)]


# genai from intermediate serves a language model; the real one is downloaded
# from the Hub, so the suite serves the tiny random-weight one the project's own
# `tiny-generator` command writes. Inside models/ (after `index`, which replaces
# that folder), so the image built from it has it too; the path is relative to
# the project, and to the container's working directory.
TINY_GENERATOR = "models/tiny-generator"


def answers_questions(track: str, level: str) -> bool:
    return track == "genai" and level != "beginner"


def after_build_commands(track: str, level: str) -> list[list[str]]:
    """Commands the suite runs after `build_command`, before serving."""
    if answers_questions(track, level):
        return [["tiny-generator", "--out", TINY_GENERATOR]]
    return []


def service_env(track: str, level: str) -> dict[str, str]:
    """Settings the suite serves with (a .env for local runs, -e for containers)."""
    if answers_questions(track, level):
        # The timeout keeps each answer within schemathesis's 10 s per request,
        # whatever max_new_tokens and k it tries.
        return {"APP_GENERATOR_MODEL": TINY_GENERATOR, "APP_GENERATION_TIMEOUT_S": "3"}
    return {}


def build_report(track: str) -> str:
    """What that command prints when it succeeded."""
    return "index exported to" if track == "genai" else "Held-out metrics"


def example_body(track: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """A valid JSON body for the query route, built from the service's /metadata."""
    if track == "genai":
        return {"query": SEARCH_QUERY, "k": 3}
    if track == "deep-learning":
        if takes_pictures(metadata):
            return {"images": [base64.b64encode(picture_png()).decode()]}
        return {"images": [DIGIT_ZERO]}
    return {"rows": [{f["name"]: f["example"] for f in metadata["features"]}]}


def example_request(track: str, url: str) -> dict[str, Any]:
    return example_body(track, httpx.get(f"{url}/metadata").json())


def answer_of(track: str, response: dict[str, Any]) -> str:
    """The first prediction's label (genai: the best result's source file)."""
    if track == "genai":
        return response["results"][0]["source"]
    first = response["predictions"][0]
    if track == "deep-learning":
        return first.get("digit", first.get("label"))
    return first["prediction"]


def expected_answers(track: str, metadata: dict[str, Any]) -> set[str]:
    """What a correct service may answer to `example_body`."""
    if track == "classical-ml":
        return {"benign", "malignant"}
    if track == "genai":
        return {SEARCH_ANSWER}
    if takes_pictures(metadata):
        # Trained here from random weights (no download): any of its classes is
        # a working answer; accuracy needs the pretrained weights.
        return set(metadata["classes"])
    return {"0"}  # DIGIT_ZERO is a clear zero


def train_args(track: str, level: str) -> list[str]:
    """Options for `<slug> train` on this machine, which cannot download weights."""
    if track == "deep-learning" and level != "beginner":
        return ["--no-pretrained", "--epochs", "2"]
    return []
