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
    access_log: bool = Field(
        False,
        description="One log line per request (off by default: it costs more than a "
        "fast prediction).",
    )
