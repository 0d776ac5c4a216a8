"""Request and response bodies of POST /search."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


def search_request_model(max_query_chars: int, max_k: int) -> type[BaseModel]:
    """The request body, with the limits from the settings."""

    class SearchRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")

        query: Annotated[str, StringConstraints(min_length=1, max_length=max_query_chars)] = Field(
            description="What to look for, in plain words.",
            examples=["how do I deploy to Render"],
            # Tells clients what `has_words` checks: at least one non-space character.
            json_schema_extra={"pattern": r"\S"},
        )
        k: int = Field(5, ge=1, le=max_k, description="How many chunks to return.")

        @field_validator("query")
        @classmethod
        def has_words(cls, query: str) -> str:
            if not query.strip():
                raise ValueError("the query is blank")
            return query

    return SearchRequest


class Hit(BaseModel):
    rank: int = Field(description="1 for the best match.")
    score: float = Field(description="Cosine similarity with the query, -1 to 1.")
    source: str = Field(description="The document the chunk comes from.")
    position: int = Field(description="The chunk's place in its document (0 first).")
    text: str


class SearchResponse(BaseModel):
    query: str
    results: list[Hit]
