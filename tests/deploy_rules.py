"""What the deploy platforms accept, written down as rules the tests check.

Render: the Blueprint specification, https://render.com/docs/blueprint-spec,
and its JSON Schema, https://render.com/schema/render.yaml.json (served from
SchemaStore). Only the fields our blueprint may use are listed; a field outside
this list is a mistake until someone checks the specification and adds it.

Hugging Face Spaces: the configuration reference for the README front matter,
https://huggingface.co/docs/hub/spaces-config-reference, and the Docker Spaces
guide, https://huggingface.co/docs/hub/spaces-sdks-docker (the container runs
as uid 1000; app_port is the port the app listens on, 7860 by default).
"""

from __future__ import annotations

import re

RENDER_ROOT_KEYS = {"services", "databases", "envVarGroups", "previews", "projects", "ungrouped"}
RENDER_WEB_SERVICE_KEYS = {
    "type",
    "name",
    "runtime",
    "plan",
    "region",
    "branch",
    "rootDir",
    "dockerfilePath",
    "dockerContext",
    "dockerCommand",
    "healthCheckPath",
    "autoDeployTrigger",
    "buildFilter",
    "envVars",
    "numInstances",
    "scaling",
    "maxShutdownDelaySeconds",
    "domains",
    "disk",
}
RENDER_RUNTIMES = {"docker", "image", "node", "python", "elixir", "go", "ruby", "rust", "static"}
RENDER_PLANS = {"free", "starter", "standard", "pro", "pro plus", "pro max", "pro ultra"}
RENDER_AUTO_DEPLOY_TRIGGERS = {"commit", "checksPass", "off"}
RENDER_REGIONS = {"oregon", "ohio", "virginia", "frankfurt", "singapore"}
RENDER_ENV_VAR_KEYS = {
    "key",
    "value",
    "generateValue",
    "sync",
    "fromDatabase",
    "fromService",
    "fromGroup",
}
SECRET_NAME = re.compile(r"key|secret|token|password|credential", re.IGNORECASE)

SPACES_SDKS = {"gradio", "docker", "static"}
SPACES_COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
SPACES_SHORT_DESCRIPTION_MAX = 60
SPACES_KEYS = {
    "title",
    "emoji",
    "colorFrom",
    "colorTo",
    "sdk",
    "app_port",
    "short_description",
    "pinned",
    "license",
    "tags",
    "models",
    "datasets",
}
SPACES_UID = 1000
