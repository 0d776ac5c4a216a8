    docs_enabled: bool = Field(
        True,
        description="Serve /docs, /redoc and /openapi.json; turn off to keep the API's "
        "shape private.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description='Origins whose web pages may call the API, as JSON: ["https://me.github.io"]. '
        "None by default: only the demo page, served from here, can.",
    )
    max_header_bytes: int = Field(
        16_384, ge=1024, description="A request header block larger than this gets a 431."
    )
    max_header_count: int = Field(
        100, ge=10, description="A request with more header lines than this gets a 431."
    )
    header_timeout_seconds: float = Field(
        10.0,
        gt=0,
        description="A request whose headers are not complete in this time gets a 408 "
        "and its connection is closed.",
    )
    access_log: bool = Field(
        False,
        description="One log line per request (off by default: it costs more than a "
        "fast prediction).",
    )
