"""Turn an uploaded picture of a digit into what the model was trained on.

The training images are 8x8, ink high (16) on a background of 0, the digit
filling the frame. A photo or a drawing can be any size, dark on light or
light on dark: we find the ink, crop to it, centre it in a square and average
it down to 8x8, the way the data set itself was made from 32x32 bitmaps.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = ["PNG", "JPEG"]
SIZE = 8
INK_THRESHOLD = 0.2  # of full ink, after the background is made 0
MARGIN = 1 / 16  # of the square's side, left around the digit


class ImageError(ValueError):
    """An upload we cannot use; ``status_code`` is the HTTP answer it deserves."""

    def __init__(self, message: str, status_code: int = 422) -> None:
        super().__init__(message)
        self.status_code = status_code


def open_image(data: bytes, max_pixels: int) -> Image.Image:
    if not data:
        raise ImageError("the uploaded file is empty")
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError as error:
        raise ImageError("the upload is not a PNG or JPEG image", status_code=415) from error
    width, height = image.size
    # Checked before decoding: a small file can declare billions of pixels.
    if width * height > max_pixels:
        raise ImageError(
            f"the image is {width}x{height} pixels, more than the limit of {max_pixels:,}",
            status_code=413,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise ImageError(f"the image could not be decoded ({error})") from error
    return image


def to_grayscale(image: Image.Image) -> np.ndarray:
    """Grey levels in [0, 1]; transparent parts count as white paper."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        paper = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(paper, image.convert("RGBA"))
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def ink_of(gray: np.ndarray) -> np.ndarray:
    """Ink in [0, 1] on a background of 0, whichever way round the picture was."""
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    return 1.0 - gray if np.median(border) > 0.5 else gray


def to_model_input(ink: np.ndarray) -> np.ndarray:
    """(H, W) ink -> (8, 8) in [0, 1]: cropped to the digit, centred, area-averaged."""
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    columns = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        raise ImageError("the image is blank: no digit found")
    digit = ink[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
    side = int(max(digit.shape) * (1 + 2 * MARGIN)) + 1
    square = np.zeros((side, side), dtype=np.float32)
    top, left = (side - digit.shape[0]) // 2, (side - digit.shape[1]) // 2
    square[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    small = Image.fromarray(square, mode="F").resize((SIZE, SIZE), Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.float32)
    return np.clip(pixels / max(float(pixels.max()), 1e-6), 0.0, 1.0)


def decode_upload(data: bytes, max_pixels: int) -> np.ndarray:
    """Uploaded bytes -> a (1, 1, 8, 8) float32 batch for the model."""
    image = open_image(data, max_pixels)
    return to_model_input(ink_of(to_grayscale(image)))[None, None, :, :]
