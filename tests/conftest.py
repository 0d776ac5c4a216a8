"""Fixtures that render the template the way a user would.

The working tree (committed or not) is copied into a temporary git repository,
committed and tagged, so Copier renders exactly what is on disk through its
normal VCS path: ``vcs_ref="HEAD"``, defaults, no ``--trust``, tasks skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import copier
import pytest
import yaml

import image_table
from matrix import ROOT, Case, cases, first_level
from projects import Installed, install
from tracks import after_build_commands, build_command, build_report, service_env

GIT_IDENTITY = ["-c", "user.name=mlfolio-tests", "-c", "user.email=tests@localhost"]


# Where the time goes: with MLFOLIO_TIMES=FILE (set by .ci/run), the process that
# reports results (xdist's controller, or the only process) adds one row per test
# module and per worker to FILE; scripts/ci_times.py prints them as tables.
_module_seconds: Counter[str] = Counter()
_module_tests: Counter[str] = Counter()
_worker_seconds: Counter[str] = Counter()
_group_seconds: Counter[str] = Counter()
_test_seconds: Counter[str] = Counter()
SLOW_TEST_SECONDS = 10.0  # tests at least this long get a row of their own


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # workers send their reports to the controller, which counts them
    module = report.nodeid.split("::")[0]
    _module_seconds[module] += report.duration
    _test_seconds[report.nodeid] += report.duration
    if report.when == "call":
        _module_tests[module] += 1
    # xdist appends "@<group>" to a grouped test's id (an "@" inside the
    # parameters, as in an e-mail address, comes before the closing "]").
    if report.nodeid.rfind("@") > report.nodeid.rfind("]"):
        _group_seconds[report.nodeid.rpartition("@")[2]] += report.duration
    node = getattr(report, "node", None)
    worker = node.gateway.id if node is not None else "main"
    _worker_seconds[worker] += report.duration


# Scheduling (xdist --dist loadgroup, see scripts/test.sh). Every slow or docker
# test that uses one (track, level)'s installed environment, trained model or
# image is in that level's group, so the environment is installed and trained
# once, on one worker, and its image builds next to it. Groups start longest
# first, by the seconds the last full run measured (tests/group_seconds.json;
# a group missing there counts as the longest, so it starts early): the two
# workers then finish close together, and the fast tests fill in at the end.
GROUP_SECONDS = Path(__file__).with_name("group_seconds.json")


def environment_group(item: pytest.Item) -> str | None:
    """'<track>-<level>' for a slow or docker test; None for the fast ones."""
    if item.get_closest_marker("slow") is None and item.get_closest_marker("docker") is None:
        return None
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    if "case" in params:
        return f"{params['case'].track}-{params['case'].level}"
    if "next_level" in params:  # growing a project: the next level's environment
        return f"{params['track']}-{params['next_level']}"
    if "track" in params:  # a track's first level
        return f"{params['track']}-{first_level(params['track'])}"
    return f"{default_case().track}-{default_case().level}"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    groups = {item.nodeid: environment_group(item) for item in items}
    for item in items:
        if groups[item.nodeid] is not None:
            item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    measured = json.loads(GROUP_SECONDS.read_text()) if GROUP_SECONDS.is_file() else {}
    longest = max(measured.values(), default=0.0) + 1
    weight = {g: measured.get(g, longest) for g in set(groups.values()) if g is not None}
    # Stable sort: groups by descending weight, then the fast tests in their order.
    items.sort(key=lambda item: -weight.get(groups[item.nodeid] or "", 0.0))


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        image_table.start(ROOT / "build")


def pytest_sessionfinish(session: pytest.Session) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return  # the controller writes what all workers recorded
    image_table.write()
    times = os.environ.get("MLFOLIO_TIMES")
    if not times or not _module_seconds:
        return
    with open(times, "a") as out:
        for module, seconds in _module_seconds.items():
            out.write(f"module\t{module}\t{seconds:.1f}\t{_module_tests[module]}\n")
        for worker, seconds in _worker_seconds.items():
            out.write(f"worker\t{worker}\t{seconds:.1f}\n")
        for group, seconds in _group_seconds.items():
            out.write(f"group\t{group}\t{seconds:.1f}\n")
        for test, seconds in _test_seconds.items():
            if seconds >= SLOW_TEST_SECONDS:
                out.write(f"test\t{test}\t{seconds:.1f}\n")


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *GIT_IDENTITY, *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def tracked_and_untracked_files() -> list[str]:
    """Every file git would ship: tracked plus untracked-but-not-ignored."""
    output = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    return [name for name in output.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("template")
    for name in tracked_and_untracked_files():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "template under test")
    git(repo, "tag", "v0.0.0")
    return repo


Render = Callable[..., Path]


@pytest.fixture(scope="session")
def render(template_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Render:
    def _render(data: dict[str, Any], *, dest: Path | None = None, **kwargs: Any) -> Path:
        dest = dest or tmp_path_factory.mktemp("project") / "out"
        options = {"defaults": True, "unsafe": False, "skip_tasks": True, "quiet": True}
        copier.run_copy(
            str(template_repo), dest, data=data, vcs_ref="HEAD", **{**options, **kwargs}
        )
        return dest

    return _render


_rendered: dict[str, Path] = {}


@pytest.fixture(scope="session")
def rendered(render: Render) -> Callable[[Case], Path]:
    """Render each case once per session; tests must not modify the result."""

    def _get(case: Case) -> Path:
        if case.id not in _rendered:
            _rendered[case.id] = render(case.data)
        return _rendered[case.id]

    return _get


Environments = Callable[[str, str], Installed]


@pytest.fixture(scope="session")
def environment(
    rendered: Callable[[Case], Path], tmp_path_factory: pytest.TempPathFactory
) -> Environments:
    """(track, level) -> that level's default case, installed from its own
    pyproject.toml into a fresh venv (once per session). Cases with other
    options share their level's environment: their dependencies are the same."""
    environments: dict[tuple[str, str], Installed] = {}

    def _get(track: str, level: str) -> Installed:
        if (track, level) not in environments:
            source = rendered(Case(track, level))
            # Work on a copy: training writes models/, reports/ and the README table.
            project = tmp_path_factory.mktemp(f"installed-{level}") / source.name
            shutil.copytree(source, project)
            slug = yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"]
            environments[(track, level)] = install(project, slug)
        return environments[(track, level)]

    return _get


@pytest.fixture(scope="session")
def trained(environment: Environments) -> Environments:
    """(track, level) -> its installed default project after `<slug> train` (or `index`)."""
    done: set[tuple[str, str]] = set()

    def _get(track: str, level: str) -> Installed:
        project = environment(track, level)
        if (track, level) not in done:
            result = project.run(project.bin(project.slug), *build_command(track, level))
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            assert build_report(track) in result.stdout
            for command in after_build_commands(track, level):
                result = project.run(project.bin(project.slug), *command)
                assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
            env = service_env(track, level)
            if env:  # what a user would put in .env; `serve` reads it
                lines = [f"{name}={value}\n" for name, value in env.items()]
                (project.project / ".env").write_text("".join(lines))
            done.add((track, level))
        return project

    return _get


def default_case() -> Case:
    return next(case for case in cases() if case.is_default)


@pytest.fixture(scope="session")
def installed(environment: Environments) -> Installed:
    """The default case (first track, first level), installed."""
    return environment(default_case().track, default_case().level)


@pytest.fixture(scope="session")
def trained_project(trained: Environments) -> Installed:
    return trained(default_case().track, default_case().level)
