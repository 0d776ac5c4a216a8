"""Schemathesis hooks for the services that take pictures (SCHEMATHESIS_HOOKS=<this file>).

OpenAPI can say "a file" or "a base64 string"; it cannot say "a PNG or JPEG
that decodes to a picture with something in it". The deep-learning services
refuse anything else (415, 422), as they should, so schemathesis's valid
values for those two fields are drawn here: real pictures, made with Pillow.
With them the positive-data check holds the services to their schema (every
valid request is accepted), and the negative cases still break it in every
other way. The pictures stay within what the services accept: sides of 16 to
160 pixels (never more than 20 times longer than wide), with ink on paper.
"""

from __future__ import annotations

import base64
import io

import schemathesis
from hypothesis import strategies as st
from PIL import Image, ImageDraw


@st.composite
def pictures(draw: st.DrawFn) -> bytes:
    width, height = draw(st.integers(16, 160)), draw(st.integers(16, 160))
    paper = draw(st.sampled_from(["white", "ivory", "lightgrey"]))
    ink = draw(st.sampled_from(["black", "navy", "darkred"]))
    picture = Image.new("RGB", (width, height), paper)
    left, top = draw(st.integers(0, width // 2)), draw(st.integers(0, height // 2))
    right = draw(st.integers(left + width // 4, width - 1))
    bottom = draw(st.integers(top + height // 4, height - 1))
    ImageDraw.Draw(picture).rectangle((left, top, right, bottom), fill=ink)
    buffer = io.BytesIO()
    picture.save(buffer, format=draw(st.sampled_from(["PNG", "JPEG"])))
    return buffer.getvalue()


# The only binary field in these services is the uploaded picture.
schemathesis.openapi.format("binary", pictures())
# The deep-learning services' JSON pictures are declared with this format.
schemathesis.openapi.format(
    "image-base64", pictures().map(lambda data: base64.b64encode(data).decode())
)
