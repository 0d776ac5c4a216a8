"""Request and response models.

The row model is built from the exported model's feature schema, so /docs
shows the real feature names, types and examples, and anything else is a 422.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

# A sanity bound, far beyond any real measurement, that keeps scaled features
# and linear scores clear of float overflow (1e308), so a valid request always
# gets a finite answer.
FEATURE_LIMIT = 1e15


class Prediction(BaseModel):
    prediction: str | float = Field(description="Class label, or the predicted value")
    probabilities: dict[str, float] | None = Field(
        None, description="Probability of each class (classification only)"
    )


class PredictResponse(BaseModel):
    model_version: str | None
    predictions: list[Prediction]


def build_row_model(features: list[dict[str, Any]] | None) -> type[BaseModel]:
    """One pydantic field per feature; unknown fields are rejected."""
    if not features:
        # No model yet: accept any numeric row so the API still documents itself.
        return create_model(
            "Features", __config__=ConfigDict(extra="allow"), __doc__="Feature values"
        )
    fields: dict[str, Any] = {}
    for feature in features:
        if feature["type"] == "number":
            annotation: Any = float
            field = Field(
                strict=True,  # true/false and "1.5" are not numbers
                allow_inf_nan=False,
                ge=-FEATURE_LIMIT,
                le=FEATURE_LIMIT,
                examples=[feature["example"]],
                description=f"seen in training: {feature['minimum']:g} to {feature['maximum']:g}",
            )
        else:
            annotation = Literal[tuple(feature["categories"])]
            field = Field(examples=[feature["example"]])
        fields[feature["name"]] = (annotation, field)
    return create_model(
        "Features", __config__=ConfigDict(extra="forbid"), __doc__="Feature values", **fields
    )


def build_request_model(row_model: type[BaseModel], max_rows: int) -> type[BaseModel]:
    return create_model(
        "PredictRequest",
        __config__=ConfigDict(extra="forbid"),
        rows=(list[row_model], Field(min_length=1, max_length=max_rows)),
    )
