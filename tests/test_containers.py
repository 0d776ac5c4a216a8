"""Docker: every rendered project's image builds, runs as uid 1000 on $PORT,
serves offline, stops cleanly; its demo page works in a real browser.

Needs a Docker engine and local base images (scripts/containers.sh makes them;
no registry is reachable here). Without them these tests skip, unless
MLFOLIO_REQUIRE_DOCKER=1 makes that a failure, as in CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import tomllib
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

import image_table
from conftest import Environments
from matrix import ROOT, Case, image_cases, reaches
from projects import TORCH_WHEELS, free_port
from tracks import (
    DIGIT_ZERO,
    SEARCH_ANSWER,
    SEARCH_QUERY,
    TORCH_TRACKS,
    answer_of,
    answers_questions,
    example_request,
    expected_answers,
    picture_png,
    query_route,
    service_env,
)

pytestmark = pytest.mark.docker

BUILD_DIR = ROOT / "build"
CONTAINER_PORT = 9123  # deliberately not the image's default
CHROMIUM = "/usr/bin/chromium"


def base_images() -> dict[str, str]:
    """Python version -> local base image, from MLFOLIO_BASE_IMAGES="3.11=img,..."."""
    pairs = [p for p in os.environ.get("MLFOLIO_BASE_IMAGES", "").split(",") if "=" in p]
    return dict(pair.split("=", 1) for pair in pairs)


def docker_ready() -> str:
    """'' when Docker and a base image are usable, else the reason they are not."""
    if shutil.which("docker") is None:
        return "docker is not installed"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker engine is running"
    if not base_images():
        return "no local base image (MLFOLIO_BASE_IMAGES is empty)"
    return ""


@pytest.fixture(scope="session", autouse=True)
def require_docker() -> None:
    reason = docker_ready()
    if reason and os.environ.get("MLFOLIO_REQUIRE_DOCKER") == "1":
        pytest.fail(f"container tests required but {reason}")
    if reason:
        pytest.skip(reason)


def docker(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


# The images build with BuildKit (their uv cache is a `RUN --mount=type=cache`).
# scripts/containers.sh names a client that has it: a CLI from Docker 23 on needs
# its buildx plugin, while Debian's docker.io 20.10 has BuildKit built in.
DOCKER_BUILD = os.environ.get("MLFOLIO_DOCKER_BUILD", "docker")


def docker_build(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DOCKER_BUILD, "build", "--progress", "plain", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )


# Building an image is the slow part of this module: see image_cases() for which.
CASES = image_cases()


@dataclass(frozen=True)
class Image:
    case: Case
    tag: str
    answers: dict
    build_seconds: float
    context: Path

    @property
    def default_port(self) -> int:
        return 7860 if "hf-spaces" in self.answers["deploy_targets"] else 8000


@contextmanager
def local_torch_index(folder: Path, python: str) -> Iterator[str]:
    """A PyPI-style index of the CPU torch wheel on disk, on 127.0.0.1.

    Images that serve a language model install torch in the build from the
    PyTorch index, which this machine cannot reach; their Dockerfile takes a
    mirror as TORCH_INDEX, and this is one (the build shares the host network).
    """
    tag = "cp" + python.replace(".", "")
    wheels = sorted(TORCH_WHEELS.glob(f"torch-*-{tag}-*.whl"))
    if not wheels:
        pytest.skip(f"no CPU torch wheel for Python {python} in {TORCH_WHEELS}")
    project = folder / "simple" / "torch"
    project.mkdir(parents=True)
    wheel = wheels[-1]
    (project / wheel.name).symlink_to(wheel)
    link = wheel.name.replace("+", "%2B")
    (project / "index.html").write_text(f'<a href="{link}">{wheel.name}</a>\n')
    port = free_port()
    server = subprocess.Popen(
        ["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", folder],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/simple"
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{url}/torch/", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the local torch index did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.kill()
        server.wait()


def trains_in_the_build(case: Case) -> bool:
    """Whether the image's own build trains its model (no models/ in the context).

    Otherwise the context gets the model its level trained here, as a user who
    commits models/ does. Torch tracks: training in the build takes CPU torch
    from download.pytorch.org, which this machine cannot reach. Licence and
    deploy-target variants: those options change a text file and a port, so
    their training step is their level default's, which its own image runs;
    each Python version still trains in its build.
    """
    if case.track in TORCH_TRACKS:
        return False
    return case.is_default or "python_version" in case.options


@pytest.fixture(scope="session")
def build(
    rendered: Callable[[Case], Path],
    trained: Environments,
    tmp_path_factory: pytest.TempPathFactory,
):
    built: dict[str, Image] = {}

    def _build(case: Case) -> Image:
        if case.id in built:
            return built[case.id]
        answers = yaml.safe_load((rendered(case) / ".copier-answers.yml").read_text())
        base = base_images().get(answers["python_version"])
        if base is None:
            pytest.skip(f"no local base image with Python {answers['python_version']}")
        # A fresh copy, as from git: no models/, so the build trains one.
        context = tmp_path_factory.mktemp("context") / "project"
        shutil.copytree(rendered(case), context)
        if not trains_in_the_build(case):
            models = trained(case.track, case.level).project / "models"
            shutil.copytree(models, context / "models")
        tag = f"mlfolio-test/{answers['project_slug']}:" + re.sub(
            r"[^a-z0-9_.-]+", "-", case.id.lower()
        )
        started = time.monotonic()
        arguments = ["--build-arg", f"BASE_IMAGE={base}", "-t", tag, "."]
        with ExitStack() as stack:
            if "ARG TORCH_INDEX=" in (context / "Dockerfile").read_text():
                folder = tmp_path_factory.mktemp("torch-index")
                index = stack.enter_context(local_torch_index(folder, answers["python_version"]))
                arguments = ["--network", "host", "--build-arg", f"TORCH_INDEX={index}", *arguments]
            result = docker_build(*arguments, cwd=context)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        image = Image(case, tag, answers, time.monotonic() - started, context)
        size = int(docker("image", "inspect", "-f", "{{.Size}}", tag).stdout.strip())
        image_table.record(case.id, answers["python_version"], size / 1e6, image.build_seconds)
        built[case.id] = image
        return image

    yield _build
    if os.environ.get("MLFOLIO_DOCKER_DISPOSABLE") == "1":
        return  # scripts/containers.sh discards the engine's whole store at the end
    # Leave the machine as we found it: each image is 0.5-1.6 GB, and the build
    # stages another 1-2 GB each; a few runs would fill a disk.
    for image in built.values():
        docker("rmi", "--force", image.tag)
    docker("image", "prune", "--force")


@dataclass
class Container:
    id: str
    url: str

    def logs(self) -> str:
        result = docker("logs", self.id)
        return result.stdout + result.stderr


@pytest.fixture
def run_container() -> Iterator[Callable[..., Container]]:
    started: list[str] = []

    def _run(image: Image, *extra: str, publish: bool = True) -> Container:
        host_port = free_port()
        args = ["run", "-d", "--user", "1000", "-e", f"PORT={CONTAINER_PORT}", *extra]
        for name, value in service_env(image.case.track, image.case.level).items():
            args[2:2] = ["-e", f"{name}={value}"]
        if publish:
            args += ["-p", f"127.0.0.1:{host_port}:{CONTAINER_PORT}"]
        result = docker(*args, image.tag)
        assert result.returncode == 0, result.stderr
        container = Container(result.stdout.strip(), f"http://127.0.0.1:{host_port}")
        started.append(container.id)
        return container

    yield _run
    for container_id in started:
        docker("rm", "-f", container_id)


def wait_until_ready(container: Container, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{container.url}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"container never became ready:\n{container.logs()[-3000:]}")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_image_builds_runs_and_stops_cleanly(case: Case, build, run_container) -> None:
    image = build(case)
    config = json.loads(docker("image", "inspect", image.tag).stdout)[0]["Config"]
    assert config["User"] == "1000"
    assert f"PORT={image.default_port}" in config["Env"]
    assert f"{image.default_port}/tcp" in config["ExposedPorts"]
    assert config["Healthcheck"]["Test"][0] == "CMD"

    container = run_container(image)
    wait_until_ready(container)
    assert httpx.get(f"{container.url}/health").json() == {"status": "ok"}
    metadata = httpx.get(f"{container.url}/metadata").json()
    body = example_request(case.track, container.url)
    response = httpx.post(f"{container.url}{query_route(case.track)}", json=body)
    assert response.status_code == 200, response.text
    assert answer_of(case.track, response.json()) in expected_answers(case.track, metadata)
    if answers_questions(case.track, case.level):
        question = {"question": SEARCH_QUERY, "max_new_tokens": 8}
        asked = httpx.post(f"{container.url}/ask", json=question, timeout=60)
        assert asked.status_code == 200, asked.text
        assert asked.json()["sources"][0]["source"] == SEARCH_ANSWER

    # Serving needs no plotting and no training: the `train` extra stays in the build
    # stage. Only a service that pulls its model from a tracking server has an
    # MLflow client (mlflow-skinny), and then it must be a listed dependency.
    pyproject = tomllib.loads((image.context / "pyproject.toml").read_text())
    dependencies = pyproject["project"]["dependencies"]
    client = any(d.startswith("mlflow-skinny") for d in dependencies)
    # torch serves only where a language model writes answers in the service.
    serves_torch = any(d.startswith("torch") for d in dependencies)
    unwanted = ("matplotlib", "optuna", "sentence_transformers")
    unwanted += () if serves_torch else ("torch",)
    unwanted += () if client else ("mlflow",)
    lean = docker(
        "exec",
        container.id,
        "python",
        "-c",
        f"import importlib.util as u; print([m for m in {unwanted!r} if u.find_spec(m)])",
    )
    assert lean.stdout.strip() == "[]", lean.stdout + lean.stderr

    identity = docker("exec", container.id, "sh", "-c", 'id -u && touch "$HOME/.probe" && echo ok')
    assert identity.stdout.split() == ["1000", "ok"], identity.stderr

    started = time.monotonic()
    assert docker("stop", "--time", "10", container.id).returncode == 0
    assert time.monotonic() - started < 10
    state = json.loads(docker("inspect", container.id).stdout)[0]["State"]
    assert state["ExitCode"] in (0, 143), state
    logs = container.logs()
    assert "Finished server process" in logs
    assert "Traceback" not in logs


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_image_serves_offline_from_a_read_only_filesystem(case: Case, build, run_container) -> None:
    # No network, nothing writable but /tmp: the image needs neither a tracking
    # server nor the internet, and writes nowhere else.
    image = build(case)
    container = run_container(
        image, "--network", "none", "--read-only", "--tmpfs", "/tmp", publish=False
    )
    probe = (
        "import json, os, time, urllib.request as u\n"
        "base = f'http://127.0.0.1:{os.environ[\"PORT\"]}'\n"
        "for _ in range(180):\n"
        "    try:\n"
        "        u.urlopen(base + '/ready', timeout=1); break\n"
        "    except Exception:\n"
        "        time.sleep(0.5)\n"
        "meta = json.load(u.urlopen(base + '/metadata'))\n"
        "route, answer = '/predict', 'predictions'\n"
        "if 'embedding_model' in meta:  # a search index: a question\n"
        "    body, route, answer = {'query': 'docker images'}, '/search', 'results'\n"
        "elif 'features' in meta:  # tabular: one row of the features' examples\n"
        "    body = {'rows': [{f['name']: f['example'] for f in meta['features']}]}\n"
        "elif meta['input']['shape'][0] == 3:  # pictures: a white PNG, base64-encoded\n"
        "    import base64, io\n"
        "    from PIL import Image\n"
        "    png = io.BytesIO()\n"
        "    Image.new('RGB', (64, 64), 'white').save(png, format='PNG')\n"
        "    body = {'images': [base64.b64encode(png.getvalue()).decode()]}\n"
        f"else:  # digits: an 8x8 zero\n"
        f"    body = {{'images': [{DIGIT_ZERO!r}]}}\n"
        "req = u.Request(base + route, json.dumps(body).encode(),\n"
        "                {'Content-Type': 'application/json'})\n"
        "print(json.load(u.urlopen(req))[answer][0])\n"
    )
    result = docker("exec", container.id, "python", "-c", probe, timeout=120)
    assert result.returncode == 0, result.stderr + container.logs()[-2000:]
    assert result.stdout.strip()
    assert "Traceback" not in container.logs()


TABULAR_DEFAULTS = [case for case in CASES if case.is_default and case.track == "classical-ml"]
DIGIT_DEFAULTS = [
    case
    for case in CASES
    if case.is_default and case.track == "deep-learning" and case.level == "beginner"
]
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

SHOTS = BUILD_DIR / "screenshots"


@contextmanager
def demo_page(
    case: Case, build, run_container, viewport: dict[str, int]
) -> Iterator[tuple[Any, list[str]]]:
    """The case's image running, its demo page open in Chromium; yields (page, errors)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    container = run_container(build(case))
    wait_until_ready(container)
    SHOTS.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS
        )
        # Playwright's wait_for_function polls by evaluating a string, which the
        # demo page's content security policy forbids (no 'unsafe-eval');
        # test_robustness checks the header; this page is not run under it.
        page = browser.new_page(viewport=viewport, bypass_csp=True)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(container.url + "/")
        yield page, errors
        browser.close()


@pytest.mark.parametrize("case", TABULAR_DEFAULTS, ids=[case.id for case in TABULAR_DEFAULTS])
def test_demo_page_in_a_real_browser(case: Case, build, run_container) -> None:
    viewport = {"width": 1100, "height": 1300}
    with demo_page(case, build, run_container, viewport) as (page, errors):
        # What a visitor does: look at the form, press Predict, read the answer.
        page.wait_for_selector("#predict-form:not([hidden])", timeout=15_000)
        assert page.locator("#fields input, #fields select").count() == 30
        page.click("#predict-button")
        page.wait_for_selector("#result-card:not([hidden])", timeout=15_000)
        assert page.inner_text("#result") in {"benign", "malignant"}
        assert page.locator("#probabilities tr").count() == 2
        if reaches(case, "intermediate"):
            # The level's feature: the SHAP contributions behind that prediction.
            page.wait_for_selector("#explanation-card:not([hidden])", timeout=15_000)
            assert page.locator("#contributions tr").count() == 10  # the largest of 30
            assert "SHAP" in page.inner_text("#explanation-summary")
            assert page.locator("#contributions .bar").first.bounding_box()["width"] > 0
        else:
            assert page.locator("#explanation-card").count() == 0
        page.screenshot(path=str(SHOTS / f"{case.id}.png"), full_page=True)
        assert errors == [], errors

        # A value the model refuses: the page shows the service's message, no crash.
        page.fill("input[name=mean_area]", "1e300")
        page.click("#predict-button")
        page.wait_for_function(
            "document.getElementById('result').textContent.includes('422')", timeout=15_000
        )
        assert "mean_area" in page.inner_text("#result")
        if reaches(case, "intermediate"):  # no stale explanation beside a refusal
            assert page.locator("#explanation-card").is_hidden()
        page.screenshot(path=str(SHOTS / f"{case.id}-refused.png"), full_page=True)
    # Chromium logs the refused request itself; nothing else may appear.
    assert all("status of 422" in error for error in errors), errors


@pytest.mark.parametrize("case", DIGIT_DEFAULTS, ids=[case.id for case in DIGIT_DEFAULTS])
def test_drawing_pad_in_a_real_browser(case: Case, build, run_container, tmp_path: Path) -> None:
    viewport = {"width": 1000, "height": 900}
    with demo_page(case, build, run_container, viewport) as (page, errors):
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Draw a digit')",
            timeout=15_000,
        )

        # What a visitor does: draw a "1" (one vertical stroke) and lift the pen.
        box = page.locator("#pad").bounding_box()
        assert box is not None
        x = box["x"] + box["width"] / 2
        page.mouse.move(x, box["y"] + 40)
        page.mouse.down()
        for step in range(1, 21):
            page.mouse.move(x, box["y"] + 40 + step * (box["height"] - 80) / 20)
        page.mouse.up()
        page.wait_for_selector("#result-card:not([hidden])", timeout=15_000)
        assert page.inner_text("#result") == "1"
        assert page.locator("#probabilities tr").count() == 5
        page.screenshot(path=str(SHOTS / f"{case.id}.png"), full_page=True)
        assert errors == [], errors

        # Not an image: the page shows the service's message, no crash.
        text_file = tmp_path / "notes.png"
        text_file.write_text("not a picture")
        page.set_input_files("#file-input", str(text_file))
        page.wait_for_function(
            "document.getElementById('status').textContent.includes('415')", timeout=15_000
        )
        assert "PNG or JPEG" in page.inner_text("#status")
        page.screenshot(path=str(SHOTS / f"{case.id}-refused.png"), full_page=True)
    assert all("status of 415" in error for error in errors), errors


PICTURE_DEFAULTS = [
    case
    for case in CASES
    if case.is_default and case.track == "deep-learning" and reaches(case, "intermediate")
]


@pytest.mark.parametrize("case", PICTURE_DEFAULTS, ids=[case.id for case in PICTURE_DEFAULTS])
def test_upload_and_heat_map_in_a_real_browser(
    case: Case, build, run_container, tmp_path: Path
) -> None:
    viewport = {"width": 1000, "height": 900}
    with demo_page(case, build, run_container, viewport) as (page, errors):
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Pick a picture')",
            timeout=15_000,
        )
        # What a visitor does: pick a picture, read the answer, look at the heat map.
        picture = tmp_path / "circle.png"
        picture.write_bytes(picture_png())
        page.set_input_files("#file-input", str(picture))
        page.wait_for_selector("#result-card:not([hidden])", timeout=15_000)
        classes = httpx.get(page.url + "metadata").json()["classes"]
        assert page.inner_text("#result").split(" (")[0] in classes
        assert page.locator("#probabilities tr").count() == min(5, len(classes))
        page.wait_for_function(
            "document.getElementById('heatmap').naturalWidth > 0", timeout=15_000
        )
        page.screenshot(path=str(SHOTS / f"{case.id}.png"), full_page=True)
        assert errors == [], errors


# The compose stack with an MLflow server on PostgreSQL is classical-ml's advanced level.
WITH_TRACKING_SERVER = [
    case
    for case in CASES
    if case.is_default and reaches(case, "advanced") and case.track == "classical-ml"
]


@pytest.mark.parametrize("case", WITH_TRACKING_SERVER, ids=[c.id for c in WITH_TRACKING_SERVER])
def test_compose_tracking_server_image_builds_with_its_postgres_driver(
    case: Case, rendered: Callable[[Case], Path]
) -> None:
    """compose.yaml's `mlflow` service: its image builds and has the client the stack needs.

    (The `postgres` service's official image cannot be pulled here; the tracking
    stack itself runs as processes in tests/test_tracking_stack.py.)
    """
    project = rendered(case)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    base = base_images().get(answers["python_version"])
    if base is None:
        pytest.skip(f"no local base image with Python {answers['python_version']}")
    tag = "mlfolio-test/mlflow-server:" + re.sub(r"[^a-z0-9_.-]+", "-", case.id.lower())
    result = docker_build(
        "--build-arg", f"BASE_IMAGE={base}", "-t", tag, str(project / "mlflow-server")
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    probe = docker(
        "run",
        "--rm",
        tag,
        "python",
        "-c",
        # The basic-auth app compose.yaml starts, and its config where it points.
        "import mlflow, psycopg, mlflow.server.auth, configparser;"
        "assert configparser.ConfigParser().read('/etc/mlflow/auth.ini');"
        "print(mlflow.__version__, psycopg.__version__)",
    )
    assert probe.returncode == 0, probe.stderr
    dockerfile = (project / "mlflow-server" / "Dockerfile").read_text()
    pinned = re.search(r'"mlflow\[auth\]==([^"]+)"', dockerfile)
    assert pinned and probe.stdout.split()[0] == pinned.group(1)
    user = docker("run", "--rm", tag, "id", "-u")
    docker("rmi", "--force", tag)
    assert user.stdout.strip() == "1000"


SEARCH_DEFAULTS = [
    case
    for case in CASES
    if case.is_default and case.track == "genai" and not answers_questions(case.track, case.level)
]
CHAT_DEFAULTS = [
    case for case in CASES if case.is_default and answers_questions(case.track, case.level)
]


@pytest.mark.parametrize("case", SEARCH_DEFAULTS, ids=[case.id for case in SEARCH_DEFAULTS])
def test_search_box_in_a_real_browser(case: Case, build, run_container) -> None:
    viewport = {"width": 1000, "height": 1100}
    with demo_page(case, build, run_container, viewport) as (page, errors):
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Type a question')",
            timeout=15_000,
        )
        # What a visitor does: type a question, press Search, read the sources.
        page.fill("#query", SEARCH_QUERY)
        page.fill("#k", "3")
        page.click("button[type=submit]")
        page.wait_for_selector("#result-card:not([hidden])", timeout=15_000)
        assert page.locator("#results li").count() == 3
        assert page.locator("#results li .source").first.inner_text() == SEARCH_ANSWER
        page.screenshot(path=str(SHOTS / f"{case.id}.png"), full_page=True)
        assert errors == [], errors

        # A blank question: the page shows the service's message, no crash.
        page.evaluate("document.getElementById('query').removeAttribute('required')")
        page.fill("#query", "   ")
        page.click("button[type=submit]")
        page.wait_for_function(
            "document.getElementById('status').textContent.includes('422')", timeout=15_000
        )
        assert "blank" in page.inner_text("#status")
        page.screenshot(path=str(SHOTS / f"{case.id}-refused.png"), full_page=True)
    assert all("status of 422" in error for error in errors), errors


@pytest.mark.parametrize("case", CHAT_DEFAULTS, ids=[case.id for case in CHAT_DEFAULTS])
def test_chat_page_in_a_real_browser(case: Case, build, run_container) -> None:
    viewport = {"width": 1000, "height": 1100}
    with demo_page(case, build, run_container, viewport) as (page, errors):
        page.wait_for_function(
            "document.getElementById('status').textContent.startsWith('Ask a question')",
            timeout=15_000,
        )
        # What a visitor does: ask, wait for the answer, read its sources.
        page.fill("#question", SEARCH_QUERY)
        page.fill("#k", "3")
        page.fill("#max-tokens", "12")
        page.click("#send")
        page.wait_for_selector(".answer .sources li", timeout=60_000)
        assert page.locator(".turn.question").first.inner_text() == SEARCH_QUERY
        assert page.locator(".answer .sources li").count() == 3
        assert page.locator(".answer .sources li").first.inner_text().startswith(SEARCH_ANSWER)
        assert "tokens in" in page.locator(".answer .meta").first.inner_text()
        page.screenshot(path=str(SHOTS / f"{case.id}.png"), full_page=True)
        assert errors == [], errors
        if reaches(case, "advanced"):
            # The level's feature: the model alone, streamed through the OpenAI route.
            page.select_option("#mode", "chat")
            assert page.locator("#k").is_disabled()
            page.fill("#question", "Say hello.")
            with page.expect_response("**/v1/chat/completions") as streamed:
                page.click("#send")
            assert streamed.value.headers["content-type"].startswith("text/event-stream")
            page.locator(".answer .meta", has_text="streamed").wait_for(timeout=60_000)
            meta = page.locator(".answer .meta", has_text="streamed").inner_text()
            assert re.match(r"[1-9]\d* tokens in", meta), meta
            page.screenshot(path=str(SHOTS / f"{case.id}-streamed.png"), full_page=True)
            assert errors == [], errors
            page.select_option("#mode", "ask")

        # Too many tokens asked for: the service's message shows in the chat.
        page.fill("#question", "And on Spaces?")
        page.fill("#max-tokens", "100000")
        page.click("#send")
        page.wait_for_selector(".answer.error", timeout=15_000)
        assert "422" in page.locator(".answer.error").inner_text()
        page.screenshot(path=str(SHOTS / f"{case.id}-refused.png"), full_page=True)
    assert all("status of 422" in error for error in errors), errors
