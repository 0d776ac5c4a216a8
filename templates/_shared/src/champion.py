"""The champion rule: which registered model version is served.

Every registered version is tagged with the problem it was trained for: the
data, the target and the task. A new version takes the serving alias
(`champion`), and its export replaces the served model folder, only when it
beats the champion *of the same problem* on the held-out primary metric
(higher is better), or when the owner forces it. Scores on different data are
not comparable, so a version for a problem the registry has no champion for
takes the alias without a comparison, and the problem it replaces keeps its
own champion: training on that data again is compared with that version.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion

PROMOTED_TAG = "champion_of_problem"  # "true" on every version that took the alias


@dataclass(frozen=True)
class Problem:
    """What a model was trained for; models are compared only within one."""

    data: str  # a bundled data set's name, a CSV file's name, an image folder's name
    target: str
    task: str

    def tags(self) -> dict[str, str]:
        return {f"problem.{key}": value for key, value in asdict(self).items()}

    def __str__(self) -> str:
        return f"{self.target} ({self.task}) on {self.data}"


@dataclass(frozen=True)
class Decision:
    promoted: bool
    message: str  # one line: what happened and why


def problem_champion(client: MlflowClient, name: str, problem: Problem) -> ModelVersion | None:
    """The version that last took the alias for this problem, or None."""
    wanted = problem.tags()
    versions = [
        version
        for version in client.search_model_versions(f"name = '{name}'")
        if version.tags.get(PROMOTED_TAG) == "true"
        and all(version.tags.get(key) == value for key, value in wanted.items())
    ]
    return max(versions, key=lambda version: int(version.version), default=None)


def decide(
    client: MlflowClient,
    name: str,
    alias: str,
    version: str,
    problem: Problem,
    metric: str,
    score: float,
    force: bool = False,
) -> Decision:
    """Tag `version` with its problem; move `alias` to it if it is the better model."""
    for key, value in problem.tags().items():
        client.set_model_version_tag(name, version, key, value)
    champion = problem_champion(client, name, problem)
    best = None if champion is None else client.get_run(champion.run_id).data.metrics.get(metric)
    if best is not None and score <= best and not force:
        return Decision(
            False,
            f"version {version} ({metric} {score:.4f}) does not beat version "
            f"{champion.version} ({best:.4f}), the champion for {problem}: "
            "nothing is exported (--force exports it anyway)",
        )
    client.set_model_version_tag(name, version, PROMOTED_TAG, "true")
    client.set_registered_model_alias(name, alias, version)
    if best is None:
        reason = f"the first model for {problem}"
    elif score > best:
        reason = f"beats version {champion.version}'s {best:.4f} for {problem}"
    else:
        reason = f"forced past version {champion.version}'s {best:.4f} for {problem}"
    return Decision(True, f"version {version} is now @{alias} ({metric} {score:.4f}; {reason})")
