"""Bad answers are refused with a clear message before anything is written."""

from __future__ import annotations

import contextlib
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from copier.errors import InteractiveSessionError

from conftest import Render
from matrix import ROOT, questions, unbuilt_track_levels


def reserved(name: str) -> list[str]:
    """A list from includes/reserved_names.yml, as copier.yml's validators read it."""
    return questions()[name]["default"]


def sample(names: list[str], count: int) -> list[str]:
    """Names spread evenly over a sorted list: every part of it is exercised."""
    step = max(len(names) // count, 1)
    return names[::step][:count]


# Each reserved name as the answer it would break: a slug, or a package name.
RESERVED_PACKAGES = ["json", "logging", "typing", "asyncio", "torch", "pil", "starlette"]
RESERVED_SLUGS = ["pip", "numpy", "scikit-learn", "uv", "fastapi"]
RESERVED_ANSWERS = (
    [
        ({"package_name": name}, "would shadow")
        for name in RESERVED_PACKAGES + sample(reserved("reserved_import_names"), 12)
    ]
    + [
        ({"project_slug": name}, "two distributions cannot share a name")
        for name in RESERVED_SLUGS + sample(reserved("reserved_distribution_names"), 8)
    ]
    + [({"project_slug": name}, "Windows") for name in ["con", "nul", "com1", "lpt9"]]
    + [({"package_name": name}, "Windows") for name in ["con", "prn", "aux"]]
)

BAD_ANSWERS = [
    ({"project_name": "   "}, "project name must not be empty"),
    ({"project_name": 'Say "hi"'}, "must not"),
    ({"project_slug": "My Project"}, "not a valid slug"),
    ({"project_slug": "my--project"}, "not a valid slug"),
    ({"project_slug": "-project"}, "not a valid slug"),
    ({"project_slug": "9lives"}, "not a valid slug"),
    ({"project_slug": "café-ml"}, "not a valid slug"),
    ({"package_name": "class"}, "is a Python keyword"),
    ({"package_name": "9lives"}, "not a valid Python package name"),
    ({"package_name": "my-package"}, "not a valid Python package name"),
    ({"package_name": "sklearn"}, "would shadow"),
    (
        {"project_name": "Ünïcode Only", "package_name": "ünï"},
        "not a valid Python package",
    ),
    ({"project_name": "Two\nlines"}, "one line of printable characters"),
    ({"project_name": "Nul\x00byte"}, "one line of printable characters"),
    ({"author_name": "Jane\r\nDoe"}, "one line of printable characters"),
    ({"description": "Bell\x07 rings"}, "one line of printable characters"),
    ({"author_email": "jane"}, "does not look like an e-mail"),
    ({"author_email": "jane@localhost"}, "does not look like an e-mail"),
    ({"author_email": "a b@example.com"}, "does not look like an e-mail"),
    ({"description": ""}, "description must not be empty"),
    ({"description": "x" * 201}, "at most 200"),
    ({"track": "reinforcement"}, "track"),
    ({"license": "GPL-3.0"}, "license"),
    ({"python_version": "3.9"}, "python_version"),
    ({"deploy_targets": ["heroku"]}, "deploy_targets"),
    ({"track": "deep-learning", "accelerator": "tpu"}, "accelerator"),
] + [({"track": track, "level": level}, "not built yet") for track, level in unbuilt_track_levels()]
BAD_ANSWERS += RESERVED_ANSWERS


@pytest.mark.parametrize(
    ("data", "message"), BAD_ANSWERS, ids=[repr(d)[1:-1][:60] for d, _ in BAD_ANSWERS]
)
def test_bad_answer_is_refused_and_nothing_written(
    render: Render, tmp_path: Path, data: dict, message: str
) -> None:
    dest = tmp_path / "out"
    with pytest.raises(ValueError, match=r"(?i)" + message.replace("(", r"\(")):
        render(data, dest=dest)
    assert not dest.exists()


def test_bad_answer_from_the_command_line(template_repo: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    copier = [sys.executable, "-m", "copier", "copy", "--defaults", "--vcs-ref", "HEAD"]
    result = subprocess.run(
        [
            *copier,
            "--skip-tasks",
            "--data",
            "project_slug=Not A Slug",
            str(template_repo),
            str(dest),
        ],
        capture_output=True,
        text=True,
    )
    assert "not a valid slug" in result.stderr
    assert not dest.exists()


def test_render_into_a_non_empty_folder_overwrites_nothing(render: Render, tmp_path: Path) -> None:
    dest = tmp_path / "existing"
    dest.mkdir()
    (dest / "README.md").write_text("my notes\n")
    (dest / "notebook.py").write_text("x = 1\n")
    # Without overwrite=True Copier asks before replacing a file; with no terminal
    # to ask on it stops (InteractiveSessionError) or skips, never overwrites.
    with contextlib.suppress(InteractiveSessionError):
        render({}, dest=dest)
    assert (dest / "README.md").read_text() == "my notes\n"
    assert (dest / "notebook.py").read_text() == "x = 1\n"


def test_defaults_render_without_trust(render: Render) -> None:
    project = render({})
    assert (project / "pyproject.toml").is_file()
    assert not (project / ".git").exists()  # the hook did not run


def test_hook_makes_a_first_commit_with_trust(render: Render, tmp_path: Path) -> None:
    project = render({}, dest=tmp_path / "outside", unsafe=True, skip_tasks=False)
    log = subprocess.run(
        ["git", "log", "--oneline"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Initial commit from mlfolio" in log.stdout
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == ""


def test_hook_leaves_an_enclosing_repository_alone(render: Render, tmp_path: Path) -> None:
    monorepo = tmp_path / "monorepo"
    monorepo.mkdir()
    subprocess.run(["git", "init", "--quiet"], cwd=monorepo, check=True)
    project = render({}, dest=monorepo / "services" / "model", unsafe=True, skip_tasks=False)
    assert not (project / ".git").exists()
    log = subprocess.run(["git", "log"], cwd=monorepo, capture_output=True, text=True)
    assert log.returncode != 0  # still no commits in the user's repository


def test_hook_without_git_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    result = subprocess.run(
        [sys.executable, str(ROOT / "hooks" / "post_copy.py")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0
    assert "git not found" in result.stdout
    assert shutil.which("git", path=str(tmp_path / "empty-bin")) is None


def test_the_reserved_names_come_from_their_sources() -> None:
    """includes/reserved_names.yml is as scripts/reserved_names.py writes it: this
    interpreter's standard library and every dependency the templates name."""
    path = ROOT / "scripts" / "reserved_names.py"
    spec = importlib.util.spec_from_file_location("reserved_names", path)
    assert spec and spec.loader
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    imports = set(reserved("reserved_import_names"))
    distributions = set(reserved("reserved_distribution_names"))
    missing_stdlib = {name.lower() for name in sys.stdlib_module_names} - imports
    assert not missing_stdlib, f"run scripts/reserved_names.py: {sorted(missing_stdlib)}"
    dependencies = script.template_dependencies()
    assert {"scikit-learn", "torch", "fastapi", "mlflow"} <= dependencies  # the parser works
    missing = dependencies - distributions
    assert not missing, f"run scripts/reserved_names.py after adding {sorted(missing)}"
    assert reserved("windows_device_names") == script.WINDOWS_DEVICE_NAMES
    for question in ("reserved_import_names", "reserved_distribution_names"):
        assert questions()[question]["when"] is False  # never asked, never recorded


def test_emoji_and_accents_render_a_valid_project(render: Render) -> None:
    """Names are written as typed: TOML, YAML front matter and HTML stay valid."""
    data = {
        "project_name": "Ünïcode Tümor Classifier 🚀",
        "project_slug": "unicode-tumor",
        "author_name": "Zoë Ådahl 🦊",
        "description": "Tells 🩺 benign from malignant <fast> & well: trained on "
        "a public data set, served with a demo page",
        "deploy_targets": ["hf-spaces"],
    }
    project = render(data)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert pyproject["description"] == data["description"]
    assert pyproject["authors"][0]["name"] == data["author_name"]
    readme = (project / "README.md").read_text()
    front = yaml.safe_load(readme.split("---\n")[1])
    assert front["title"] == data["project_name"]
    short = front["short_description"]
    assert len(short) <= 60 and data["description"].startswith(short)
    assert data["description"][len(short)] == " "  # cut between words
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert not any(name.startswith("reserved_") for name in answers)
    page = next((project / "src").glob("*/serving/static/index.html")).read_text()
    assert "&lt;fast&gt; &amp; well" in page
