"""The (track, level, options) cases, derived from copier.yml.

Choices come from the questions themselves; validity comes from rendering the
questions' own ``validator`` templates, so a track or level that copier.yml
starts accepting joins the matrix without touching the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment

ROOT = Path(__file__).resolve().parents[1]


class _CopierLoader(yaml.SafeLoader):
    """Reads copier.yml as Copier does: several documents, and `!include`."""


def _include(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    pattern = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    return [yaml.load(path.read_text(), _CopierLoader) for path in sorted(ROOT.glob(pattern))]


_CopierLoader.add_constructor("!include", _include)


@cache
def copier_config() -> dict[str, Any]:
    config: dict[str, Any] = {}
    for document in yaml.load_all((ROOT / "copier.yml").read_text(), _CopierLoader):
        for part in document if isinstance(document, list) else [document]:
            config.update(part or {})
    return config


@cache
def questions() -> dict[str, dict[str, Any]]:
    config = copier_config()
    return {k: v for k, v in config.items() if not k.startswith("_") and isinstance(v, dict)}


def choices(name: str) -> list[Any]:
    options = questions()[name]["choices"]
    return list(options.values()) if isinstance(options, dict) else list(options)


def default(name: str) -> Any:
    return questions()[name]["default"]


@cache
def _jinja() -> SandboxedEnvironment:
    # The same filters Copier loads by default (regex_search and friends).
    return SandboxedEnvironment(extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"])


def refusal(name: str, answers: dict[str, Any]) -> str:
    """The message question `name`'s validator gives for these answers ('' if none)."""
    validator = questions()[name].get("validator", "")
    return _jinja().from_string(validator).render(**answers).strip()


@dataclass(frozen=True)
class Case:
    track: str
    level: str
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> dict[str, Any]:
        return {"track": self.track, "level": self.level, **self.options}

    @property
    def id(self) -> str:
        parts = [self.track, self.level]
        for key, value in sorted(self.options.items()):
            shown = ("+".join(value) or "none") if isinstance(value, list) else value
            parts.append(f"{key.replace('_', '-')}={shown}")
        return "-".join(parts)

    @property
    def is_default(self) -> bool:
        return not self.options


def built_track_levels() -> list[tuple[str, str]]:
    return [
        (track, level)
        for track in choices("track")
        for level in choices("level")
        if not refusal("track", {"track": track})
        and not refusal("level", {"track": track, "level": level})
    ]


def first_level(track: str) -> str:
    """The lowest built level of a track (where option cases run their own tests)."""
    return next(level for t, level in built_track_levels() if t == track)


def unbuilt_track_levels() -> list[tuple[str, str]]:
    built = set(built_track_levels())
    return [(t, lv) for t in choices("track") for lv in choices("level") if (t, lv) not in built]


def asked(name: str, answers: dict[str, Any]) -> bool:
    """Whether copier.yml asks question `name` given these answers (its `when:`)."""
    when = questions()[name].get("when", True)
    if isinstance(when, bool):
        return when
    return _jinja().from_string(when).render(**answers).strip().lower() == "true"


def option_variations(track: str) -> list[dict[str, Any]]:
    """Each non-default option on its own (the defaults are covered by every case)."""
    variations: list[dict[str, Any]] = []
    for name in ("python_version", "license", "accelerator"):
        if asked(name, {"track": track}):
            variations += [{name: value} for value in choices(name) if value != default(name)]
    targets = choices("deploy_targets")
    subsets = [[]] + [[t] for t in targets] + [targets]
    variations += [{"deploy_targets": s} for s in subsets if s != default("deploy_targets")]
    return variations


def cases() -> list[Case]:
    result = []
    for track, level in built_track_levels():
        result.append(Case(track, level))
        result += [Case(track, level, variation) for variation in option_variations(track)]
    return result


def level_defaults() -> list[Case]:
    """One case per built (track, level): its answers all defaults."""
    return [case for case in cases() if case.is_default]


def reaches(case: Case, level: str) -> bool:
    """Whether the case's level is `level` or above it (levels add to the ones below)."""
    levels = choices("level")
    return levels.index(case.level) >= levels.index(level)


def image_cases() -> list[Case]:
    """The cases whose Docker images are built and run.

    Every level's default, and each Python version at every level (a new Python
    can lack wheels for one level's dependencies). The other options change
    the image the same way at every level and in every track (deploy targets:
    the port; license: a text file), so their variations are built once, at
    the first track's first level. CUDA images are not built here: their base
    image is NVIDIA's, which no local registry has (they are linted instead).
    """
    first = built_track_levels()[0]
    return [
        case
        for case in cases()
        if case.options.get("accelerator", "cpu") == "cpu"
        and (
            case.is_default
            or set(case.options) == {"python_version"}
            or (case.track, case.level) == first
        )
    ]
