"""Fast checks on every rendered case: files, leftovers, lint, configs."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import deploy_rules as rules
from matrix import Case, cases, choices
from projects import NOT_READ_BY_TESTS, NOT_READ_BY_TESTS_FOLDERS
from tracks import build_command

CASES = cases()
RUFF = [sys.executable, "-m", "ruff"]

# The files every project has whatever its track and options; {pkg} is the package.
COMMON_FILES = [
    ".copier-answers.yml",
    ".dockerignore",
    ".github/dependabot.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/template-update.yml",
    ".gitattributes",
    ".gitignore",
    "Dockerfile",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "src/{pkg}/__init__.py",
    "src/{pkg}/__main__.py",
    "src/{pkg}/cli.py",
    "src/{pkg}/cli_helpers.py",
    "src/{pkg}/config.py",
    "src/{pkg}/model_folder.py",
    "src/{pkg}/readme.py",
    "src/{pkg}/results.py",
    "src/{pkg}/screenshot.py",
    "src/{pkg}/tracking.py",
    "src/{pkg}/serving/__init__.py",
    "src/{pkg}/serving/app.py",
    "src/{pkg}/serving/headers.py",
    "src/{pkg}/serving/lfs.py",
    "src/{pkg}/serving/limits.py",
    "src/{pkg}/serving/predictor.py",
    "src/{pkg}/serving/routes.py",
    "src/{pkg}/serving/bodies.py",
    "src/{pkg}/serving/connection.py",
    "src/{pkg}/serving/schemas.py",
    "src/{pkg}/serving/server.py",
    "src/{pkg}/serving/state.py",
    "src/{pkg}/serving/static/index.html",
    "src/{pkg}/serving/static/style.css",
    "tests/conftest.py",
    "tests/mlflow_store.py",
    "tests/test_api.py",
    "tests/test_cli.py",
    "tests/test_connection.py",
    "tests/test_model_folder.py",
    "tests/test_readme_pictures.py",
    "tests/test_tracking_store.py",
]
# The tracks that train a model on data.
MODEL_FILES = [
    "src/{pkg}/data.py",
    "src/{pkg}/export.py",
    "src/{pkg}/figures.py",
    "src/{pkg}/model.py",
    "src/{pkg}/train.py",
    "tests/test_data.py",
    "tests/test_model.py",
    "tests/test_train.py",
]

# The genai sample collection: ten notes and their labelled queries.
SAMPLE_CORPUS = [
    "chunking-documents.md",
    "deploying-to-render.md",
    "docker-images.md",
    "experiment-tracking.md",
    "gradient-accumulation.md",
    "hugging-face-spaces.md",
    "onnx-runtime.md",
    "queries.jsonl",
    "retrieval-metrics.md",
    "sentence-embeddings.md",
    "serving-with-fastapi.md",
]

# What each track has beyond those.
CLASSICAL_ML_FILES = [
    *COMMON_FILES,
    *MODEL_FILES,
    "src/{pkg}/evaluate.py",
    "src/{pkg}/onnx_export.py",
]
DEEP_LEARNING_FILES = [
    *COMMON_FILES,
    *MODEL_FILES,
    "src/{pkg}/champion.py",
    "src/{pkg}/devices.py",
    "src/{pkg}/serving/images.py",
    "src/{pkg}/progress.py",
    "src/{pkg}/training_state.py",
    "tests/test_progress.py",
]

# What each level adds to the level below it.
CLASSICAL_ML_LEVEL_FILES = {
    "beginner": [],
    "intermediate": [
        ".pre-commit-config.yaml",
        "configs/train.yaml",
        "src/{pkg}/champion.py",
        "src/{pkg}/explain.py",
        "src/{pkg}/registry.py",
        "src/{pkg}/tune.py",
        "src/{pkg}/validation.py",
        "tests/test_boosting.py",
        "tests/test_config.py",
        "tests/test_explain.py",
        "tests/test_registry.py",
        "tests/test_tune.py",
        "tests/test_validation.py",
    ],
    "advanced": [
        ".env.example",
        ".github/workflows/release.yml",
        "compose.yaml",
        "loadtest/locustfile.py",
        "mlflow-server/Dockerfile",
        "mlflow-server/auth.ini",
        "src/{pkg}/drift.py",
        "src/{pkg}/model_card.py",
        "src/{pkg}/serving/metrics.py",
        "tests/test_model_card.py",
        "tests/test_monitoring.py",
    ],
}

DEEP_LEARNING_LEVEL_FILES = {
    "beginner": ["src/{pkg}/digits.py", "tests/test_images.py"],
    "intermediate": [
        "configs/train.yaml",
        "src/{pkg}/imaging.py",
        "src/{pkg}/sample_data.py",
        "src/{pkg}/serving/heatmap.py",
    ],
    "advanced": [
        "Dockerfile.train",
        "src/{pkg}/checkpoints.py",
        "src/{pkg}/distributed.py",
        "src/{pkg}/quantize.py",
        "src/{pkg}/throughput.py",
        "tests/test_quantize.py",
        "tests/test_scale_out.py",
    ],
}
# What a level replaces: from intermediate up, the deep-learning track trains on
# an ImageFolder, and the bundled digits' own files give way to it.
LEVEL_DROPS = {"deep-learning": {"intermediate": ["src/{pkg}/digits.py", "tests/test_images.py"]}}

GENAI_FILES = [
    *COMMON_FILES,
    "src/{pkg}/corpus.py",
    "src/{pkg}/devices.py",
    "src/{pkg}/encoder.py",
    "src/{pkg}/evaluation.py",
    "src/{pkg}/indexing.py",
    "src/{pkg}/query_encoder.py",
    "src/{pkg}/search_index.py",
    "src/{pkg}/searcher.py",
    "src/{pkg}/serving/openai_api.py",
    "src/{pkg}/serving/openai_errors.py",
    *(f"src/{{pkg}}/sample_corpus/{name}" for name in SAMPLE_CORPUS),
    "tests/live_server.py",
    "tests/test_corpus.py",
    "tests/test_indexing.py",
    "tests/test_openai_embeddings.py",
    "tests/test_search.py",
]

BASE_FILES = {
    "classical-ml": CLASSICAL_ML_FILES,
    "deep-learning": DEEP_LEARNING_FILES,
    "genai": GENAI_FILES,
}
GENAI_LEVEL_FILES = {
    "beginner": [],
    "intermediate": [
        "src/{pkg}/answer_evaluation.py",
        "src/{pkg}/generator.py",
        "src/{pkg}/prompts.py",
        "src/{pkg}/rag.py",
        "src/{pkg}/tiny_generator.py",
        "src/{pkg}/traces.py",
        "tests/test_rag.py",
    ],
    "advanced": [
        "configs/accelerate/fsdp.yaml",
        "configs/accelerate/multi_gpu.yaml",
        "src/{pkg}/finetune.py",
        "src/{pkg}/sample_corpus/instructions.jsonl",
        "src/{pkg}/serving/chat_completions.py",
        "tests/test_chat_completions.py",
        "tests/test_finetune.py",
        "tests/test_langchain.py",
    ],
}
LEVEL_FILES = {
    "classical-ml": CLASSICAL_ML_LEVEL_FILES,
    "deep-learning": DEEP_LEARNING_LEVEL_FILES,
    "genai": GENAI_LEVEL_FILES,
}


def expected_files(case: Case, given: dict) -> set[str]:
    names = list(BASE_FILES[case.track])
    levels = choices("level")  # in order: each level adds to the ones before it
    for level in levels[: levels.index(case.level) + 1]:
        names += LEVEL_FILES[case.track].get(level, [])
        dropped = LEVEL_DROPS.get(case.track, {}).get(level, [])
        names = [name for name in names if name not in dropped]
    return {name.format(pkg=given["package_name"]) for name in names}


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def project_files(project: Path) -> set[str]:
    return {str(p.relative_to(project)) for p in project.rglob("*") if p.is_file()}


@pytest.fixture(params=CASES, ids=[case.id for case in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


@pytest.fixture
def project(case: Case, rendered: Callable[[Case], Path]) -> Path:
    return rendered(case)


def test_exact_file_set(case: Case, project: Path) -> None:
    given = answers(project)
    expected = expected_files(case, given)
    if "render" in given["deploy_targets"]:
        expected.add("render.yaml")
    if given["license"] != "proprietary":
        expected.add("LICENSE")
    assert project_files(project) == expected


def test_answers_file_records_the_choices(case: Case, project: Path) -> None:
    given = answers(project)
    for key, value in case.data.items():
        assert given[key] == value
    assert "_commit" in given and "_src_path" in given
    # Computed flags are recomputed on update, never stored.
    assert "use_tuning" not in given and "default_port" not in given


# A Jinja tag as the templates write them; Python's f"{x:.0%}" is not one.
JINJA_TAG = re.compile(r"\{\{\s|\s\}\}|\{%[-\s]|[-\s]%\}")


def test_no_leftover_jinja(project: Path) -> None:
    leftovers = [
        str(path.relative_to(project))
        for path in project.rglob("*")
        if path.is_file() and re.search(JINJA_TAG, path.read_text())
    ]
    # GitHub Actions expressions are meant to survive rendering, and so is a
    # Hugging Face chat template (Jinja that the tokenizer renders).
    workflow = re.compile(r"\$\{\{ [^}]+ \}\}")
    chat_template = re.compile(r"^CHAT_TEMPLATE = \(\n.*?^\)$", re.MULTILINE | re.DOTALL)
    leftovers = [
        name
        for name in leftovers
        if re.search(
            JINJA_TAG, chat_template.sub("", workflow.sub("", (project / name).read_text()))
        )
    ]
    assert leftovers == []


def package_imports(package: Path) -> dict[str, set[str]]:
    """module -> the package's own modules it imports (relative imports, TYPE_CHECKING too)."""
    graph = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        here = parts[:-1]  # the package a relative import starts from
        graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level > 0:
                base = list(here[: len(here) - (node.level - 1)])
                if node.module is None:  # from . import a, b
                    graph[name] |= {".".join([*base, alias.name]) for alias in node.names}
                else:
                    graph[name].add(".".join([*base, *node.module.split(".")]))
    return {name: {t for t in targets if t in graph} for name, targets in graph.items()}


def test_the_package_has_no_import_cycles(project: Path) -> None:
    """Shared types live in modules of their own, not in the module that uses them."""
    (package,) = [path.parent for path in (project / "src").glob("*/__init__.py")]
    graph = package_imports(package)
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            assert state.get(target) != "open", " -> ".join([*path, module, target])
            if target not in state:
                visit(target, [*path, module])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_ruff_format_and_lint_clean(project: Path) -> None:
    fmt = subprocess.run(
        [*RUFF, "format", "--check", "--diff", "."],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    lint = subprocess.run([*RUFF, "check", "."], cwd=project, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_yaml_and_toml_parse(project: Path) -> None:
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        assert yaml.safe_load(path.read_text()) is not None, path
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    given = answers(project)
    assert pyproject["project"]["name"] == given["project_slug"]
    assert pyproject["project"]["requires-python"] == f">={given['python_version']}"
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + given["python_version"].replace(
        ".", ""
    )
    script = pyproject["project"]["scripts"][given["project_slug"]]
    assert script == f"{given['package_name']}.cli:app"


# A requirement as pyproject.toml writes them: name[extras] then the version bounds.
REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9_.\-]+)(\[[^\]]*\])?(?P<specifier>[^;]*)")


def test_every_dependency_is_bounded_below_and_before_its_next_major(project: Path) -> None:
    """An install a year from now must not resolve a major release no one tried."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    slug = answers(project)["project_slug"]
    requirements = [
        *pyproject["project"]["dependencies"],
        *(r for extra in pyproject["project"]["optional-dependencies"].values() for r in extra),
        *pyproject["build-system"]["requires"],
    ]
    for requirement in requirements:
        match = REQUIREMENT.match(requirement)
        assert match is not None, requirement
        if match["name"] == slug:
            continue  # the project's own extras
        bounds = dict(re.findall(r"(>=|<)\s*([0-9][0-9.]*)", match["specifier"]))
        assert set(bounds) == {">=", "<"}, requirement
        lower, upper = bounds[">="].split("."), bounds["<"].split(".")
        assert int(upper[0]) == int(lower[0]) + 1 and len(upper) == 1, requirement


def test_no_project_test_reads_what_test_runs_are_deduplicated_by(project: Path) -> None:
    """test_project.py runs a case's own tests once per digest of what they read
    (projects.digest_of_test_inputs); the files it leaves out must stay unread.
    The README is written under tmp_path by every test that fills it."""
    unread = [name for name in sorted(NOT_READ_BY_TESTS) if name != "README.md"]
    for path in (project / "tests").rglob("*.py"):
        text = path.read_text()
        for name in [*unread, *NOT_READ_BY_TESTS_FOLDERS, "Dockerfile"]:
            assert name not in text, f"{path.name} mentions {name}"


def test_quickstart_and_make_install_use_uv(project: Path) -> None:
    readme = (project / "README.md").read_text()
    assert 'pip install uv && uv pip install -e ".[dev]"' in readme
    assert (
        'uv pip install --python .venv/bin/python -e ".[dev]"' in (project / "Makefile").read_text()
    )


def dockerfiles(project: Path) -> list[Path]:
    return sorted(path for path in project.rglob("Dockerfile*") if path.is_file())


def test_dockerfiles_are_hadolint_clean(project: Path) -> None:
    for dockerfile in dockerfiles(project):
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "hadolint"),
                "--failure-threshold",
                "info",
                str(dockerfile.relative_to(project)),
            ],
            cwd=project,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{dockerfile}: {result.stdout}{result.stderr}"


def test_dockerfile_contract(project: Path) -> None:
    given = answers(project)
    dockerfile = (project / "Dockerfile").read_text()
    if given.get("accelerator") == "cuda":
        assert "ARG BASE_IMAGE=nvidia/cuda:" in dockerfile
        assert f"uv python install {given['python_version']}" in dockerfile
    else:
        assert f"ARG BASE_IMAGE=python:{given['python_version']}-slim" in dockerfile
    assert "--uid 1000" in dockerfile and "USER 1000" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    port = 7860 if "hf-spaces" in given["deploy_targets"] else 8000
    assert f"PORT={port}" in dockerfile
    ignored = (project / ".dockerignore").read_text().split()
    assert {"mlflow.db", "data", ".venv", "**/__pycache__"} <= set(ignored)


def test_accelerator_picks_torch_index_and_base_image_together(project: Path) -> None:
    """cpu: the CPU wheel index and a slim Python image. cuda: the CUDA 12.x index
    (cu12x), NVIDIA's CUDA 12.x runtime image and onnxruntime's CUDA 12 build.
    Everywhere: CI and the in-build training take CPU torch (no GPU there)."""
    given = answers(project)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    dependencies = pyproject["project"]["dependencies"]
    if "accelerator" not in given:
        assert "tool" not in pyproject or "uv" not in pyproject["tool"]
        return
    (index,) = pyproject["tool"]["uv"]["index"]
    assert pyproject["tool"]["uv"]["sources"]["torch"] == [{"index": index["name"]}]
    assert index["explicit"] is True
    base = re.search(r"ARG BASE_IMAGE=(\S+)", (project / "Dockerfile").read_text()).group(1)
    if given["accelerator"] == "cpu":
        assert index["url"] == "https://download.pytorch.org/whl/cpu"
        assert base == f"python:{given['python_version']}-slim"
        assert not any(d.startswith("onnxruntime-gpu") for d in dependencies)
    else:
        cuda = re.fullmatch(r"nvidia/cuda:(\d+)\.(\d+)\.\d+-cudnn-runtime-ubuntu\d+\.\d+", base)
        assert cuda, base
        assert index["url"] == f"https://download.pytorch.org/whl/cu{cuda[1]}{cuda[2]}"
        assert cuda[1] == "12"  # onnxruntime-gpu's default PyPI build is CUDA 12 + cuDNN 9
        assert any(d.startswith("onnxruntime-gpu") for d in dependencies)
    train_extra = pyproject["project"]["optional-dependencies"]["train"]
    dockerfile = (project / "Dockerfile").read_text()
    serving_torch = re.search(r"ARG TORCH_INDEX=(\S+)", dockerfile)
    if serving_torch:  # a language model in the service: the accelerator's torch serves
        assert any(d.startswith("torch") for d in dependencies)
        assert serving_torch.group(1) == index["url"]
        name = index["name"]
        assert f'--index "{name}=${{TORCH_INDEX}}" -r pyproject.toml' in dockerfile
    else:
        assert any(d.startswith("torch") for d in train_extra)
        assert not any(d.startswith("torch") for d in dependencies)  # serving is onnxruntime
    ci = (project / ".github" / "workflows" / "ci.yml").read_text()
    assert "--no-sources --torch-backend cpu" in ci
    assert "--no-sources --torch-backend cpu" in dockerfile
    training = project / "Dockerfile.train"
    if training.is_file():  # the training image takes the accelerator's torch
        text = training.read_text()
        assert f"ARG BASE_IMAGE={base}" in text
        assert "--no-sources" not in text and "--extra train" in text
        assert ("--gpus all" in text) == (given["accelerator"] == "cuda")


def test_workflows_match_github_schema(project: Path) -> None:
    workflows = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, workflows),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_config_matches_its_schema(project: Path) -> None:
    config = project / ".github" / "dependabot.yml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.dependabot",
            str(config),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ecosystems = {
        update["package-ecosystem"] for update in yaml.safe_load(config.read_text())["updates"]
    }
    assert ecosystems == {"pip", "github-actions"}


PINNED_ACTION = re.compile(r"^\s*(?:- )?uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def test_workflows_pin_actions_by_sha_and_pass_zizmor(project: Path) -> None:
    """Tags move (tj-actions/changed-files, 2025): every action is a full commit SHA
    with its version in a comment, and zizmor finds nothing in the workflows."""
    for workflow in (project / ".github" / "workflows").glob("*.yml"):
        for line in workflow.read_text().splitlines():
            if "uses:" in line:
                assert PINNED_ACTION.match(line), f"{workflow.name}: {line.strip()}"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "zizmor"), "--offline", str(project / ".github")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ci = (project / ".github" / "workflows" / "ci.yml").read_text()
    assert "pip-audit --skip-editable" in ci and "zizmor==" in ci


def test_secrets_files_stay_out_of_git_and_images(project: Path) -> None:
    gitignore = (project / ".gitignore").read_text().splitlines()
    assert {".env", ".env.*", "!.env.example"} <= set(gitignore)
    assert {".env", ".env.*"} <= set((project / ".dockerignore").read_text().splitlines())


def test_release_workflow_deploys_each_chosen_target_with_named_secrets(project: Path) -> None:
    path = project / ".github" / "workflows" / "release.yml"
    if not path.exists():
        return
    workflow = yaml.safe_load(path.read_text())
    assert workflow[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads the key `on` as True
    targets = answers(project)["deploy_targets"]
    expected = {"image"} | {f"deploy-{target}" for target in targets}
    assert set(workflow["jobs"]) == expected
    text = path.read_text()
    # Credentials come from the repository's secrets, never from the file itself.
    for secret in re.findall(r"secrets\.(\w+)", text):
        assert secret in {"GITHUB_TOKEN", "RENDER_DEPLOY_HOOK_URL", "HF_TOKEN"}, secret
        assert secret in text.split("name: Release")[0] or secret == "GITHUB_TOKEN", secret


def test_compose_file_is_valid_for_the_compose_tool(project: Path) -> None:
    path = project / "compose.yaml"
    if not path.exists():
        return
    tool = shutil.which("docker-compose")
    if tool is None:
        if os.environ.get("MLFOLIO_REQUIRE_DOCKER") == "1":
            pytest.fail("docker-compose is missing (scripts/containers.sh installs it)")
        pytest.skip("docker-compose is not installed")
    # Secrets come from .env only: without it compose refuses, naming the fix.
    config = [tool, "--project-directory", str(project), "--file", str(path), "config"]
    bare = {k: v for k, v in os.environ.items() if not k.startswith(("POSTGRES_", "MLFLOW_"))}
    refused = subprocess.run(config, capture_output=True, text=True, env=bare)
    assert refused.returncode != 0 and "copy .env.example to .env" in refused.stderr
    example = (project / ".env.example").read_text()
    names = re.findall(r"^([A-Z_]+)=", example, re.M)
    assert "POSTGRES_PASSWORD=\n" in example  # committed without a value
    secrets = {name: f"secret-{name.lower()}" for name in names}
    (project / ".env").write_text("".join(f"{k}={v}\n" for k, v in secrets.items()))
    try:
        result = subprocess.run(config, capture_output=True, text=True, env=bare)
    finally:
        (project / ".env").unlink()
    assert result.returncode == 0, result.stdout + result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    stack = yaml.safe_load(path.read_text())
    assert set(stack["services"]) == {"postgres", "mlflow", "app"}
    assert (project / stack["services"]["mlflow"]["build"] / "Dockerfile").is_file()
    app = stack["services"]["app"]["environment"]
    assert app["APP_MODEL_URI"] == f"models:/{answers(project)['project_slug']}@champion"
    # The tracking server and the database listen on this machine only, the
    # server asks for a login, and no secret is on a command line or in the file.
    for name in ("postgres", "mlflow"):
        for port in resolved[name]["ports"]:  # "ip:host:container" or compose v2's mapping
            host_ip = port["host_ip"] if isinstance(port, dict) else port.split(":")[0]
            assert host_ip == "127.0.0.1", (name, port)
    assert "--app-name=basic-auth" in resolved["mlflow"]["command"]
    assert not any("secret-" in part for part in resolved["mlflow"]["command"])
    mlflow_env = resolved["mlflow"]["environment"]
    assert mlflow_env["MLFLOW_AUTH_ADMIN_PASSWORD"] == secrets["MLFLOW_TRACKING_PASSWORD"]
    assert secrets["POSTGRES_PASSWORD"] in mlflow_env["MLFLOW_BACKEND_STORE_URI"]
    assert (
        resolved["app"]["environment"]["MLFLOW_TRACKING_PASSWORD"]
        == (secrets["MLFLOW_TRACKING_PASSWORD"])
    )
    assert "secret-" not in path.read_text()


def served_paths(project: Path) -> set[str]:
    """Paths the rendered FastAPI app declares (decorators in the serving package)."""
    package = answers(project)["package_name"]
    source = "\n".join(p.read_text() for p in (project / "src" / package / "serving").glob("*.py"))
    return set(re.findall(r'@(?:app|router)\.(?:get|post)\(\s*"([^"]+)"', source))


def test_render_blueprint_contract(project: Path) -> None:
    path = project / "render.yaml"
    if "render" not in answers(project)["deploy_targets"]:
        assert not path.exists()
        return
    blueprint = yaml.safe_load(path.read_text())
    assert set(blueprint) <= rules.RENDER_ROOT_KEYS
    (service,) = blueprint["services"]
    assert set(service) <= rules.RENDER_WEB_SERVICE_KEYS, (
        set(service) - rules.RENDER_WEB_SERVICE_KEYS
    )
    assert service["type"] == "web"
    assert service["runtime"] == "docker"
    assert service["name"] == answers(project)["project_slug"]
    assert service["plan"] in rules.RENDER_PLANS
    assert service["autoDeployTrigger"] in rules.RENDER_AUTO_DEPLOY_TRIGGERS
    assert (project / service["dockerContext"] / service["dockerfilePath"]).is_file()
    assert service["healthCheckPath"] in served_paths(project)
    for variable in service.get("envVars", []):
        assert set(variable) <= rules.RENDER_ENV_VAR_KEYS
        # Secrets are set in Render's dashboard (sync: false), never committed.
        if rules.SECRET_NAME.search(variable["key"]):
            assert variable.get("sync") is False and "value" not in variable


def test_spaces_front_matter(project: Path) -> None:
    readme = (project / "README.md").read_text()
    if "hf-spaces" not in answers(project)["deploy_targets"]:
        assert not readme.startswith("---")
        return
    front = yaml.safe_load(readme.split("---")[1])
    assert set(front) <= rules.SPACES_KEYS
    assert front["sdk"] == "docker"
    assert front["colorFrom"] in rules.SPACES_COLOURS and front["colorTo"] in rules.SPACES_COLOURS
    assert len(front["short_description"]) <= rules.SPACES_SHORT_DESCRIPTION_MAX
    assert front["title"] == answers(project)["project_name"]
    assert len(front["emoji"]) == 1
    # The port Spaces routes to is the port the image listens on by default.
    dockerfile = (project / "Dockerfile").read_text()
    assert f"PORT={front['app_port']}" in dockerfile
    assert f"EXPOSE {front['app_port']}" in dockerfile
    assert f"--uid {rules.SPACES_UID}" in dockerfile and f"USER {rules.SPACES_UID}" in dockerfile


def test_license_matches_answer(project: Path) -> None:
    given = answers(project)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    if given["license"] == "proprietary":
        assert "license" not in pyproject["project"]
        return
    assert pyproject["project"]["license"] == given["license"]
    text = (project / "LICENSE").read_text()
    assert given["author_name"] in text
    heading = {
        "MIT": "MIT License",
        "Apache-2.0": "Apache License",
        "BSD-3-Clause": "BSD 3-Clause",
    }
    assert heading[given["license"]] in text


def test_readme_has_results_markers_and_quickstart(case: Case, project: Path) -> None:
    readme = (project / "README.md").read_text()
    slug = answers(project)["project_slug"]
    command = build_command(case.track, case.level)[0]  # train, or index
    for block in ("results", "figures", "demo"):  # what train, index and screenshot fill
        assert f"<!-- {block}:start -->" in readme and f"<!-- {block}:end -->" in readme
    assert f"{slug} {command}" in readme and f"{slug} serve" in readme
    targets = answers(project)["deploy_targets"]
    live = {"render": f"https://{slug}.onrender.com", "hf-spaces": f"/spaces/YOUR-USER/{slug}"}
    for target, address in live.items():  # a live demo line for each chosen target
        assert (address in readme) == (target in targets), target
    makefile = (project / "Makefile").read_text()
    assert f"\n{command}:\n\t{slug} {command}\n" in makefile


def test_index_page_is_rendered_html(project: Path) -> None:
    package = answers(project)["package_name"]
    page = (project / "src" / package / "serving" / "static" / "index.html").read_text()
    assert page.startswith("<!doctype html>")
    assert answers(project)["project_name"] in page
