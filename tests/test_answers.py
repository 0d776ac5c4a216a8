"""Bad answers are refused with a clear message before anything is written."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from copier.errors import InteractiveSessionError

from conftest import Render
from matrix import ROOT, unbuilt_track_levels

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
