"""The upgrade path: `copier update` brings template changes and keeps the owner's work."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml

from conftest import Environments, git
from matrix import built_track_levels, choices, first_level

BASE_TAG = "v0.0.0"  # set by the template_repo fixture
TRACKS = sorted({track for track, _ in built_track_levels()})
LEVELS = choices("level")
GROWTH = [
    (track, level, LEVELS[LEVELS.index(level) + 1])
    for track, level in built_track_levels()
    if level != LEVELS[-1] and (track, LEVELS[LEVELS.index(level) + 1]) in built_track_levels()
]


# A setting the owner changes in config.py: (as rendered, as edited).
OWNER_SETTING = {
    "default": ("seed: int = 42", "seed: int = 7"),
    "genai": ("chunk_words: int = Field(120,", "chunk_words: int = Field(100,"),
}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def render_and_commit(template: Path, dest: Path, data: dict, ref: str = BASE_TAG) -> Path:
    copier.run_copy(
        str(template), dest, data=data, vcs_ref=ref, defaults=True, skip_tasks=True, quiet=True
    )
    git(dest, "init", "--quiet", "--initial-branch=main")
    git(dest, "add", "--all")
    git(dest, "commit", "--quiet", "-m", "rendered")
    return dest


def update(project: Path, tasks: bool = False, **data: str) -> None:
    """`copier update --defaults --vcs-ref HEAD`, as an owner would run it.

    Copier asks for trust on update whenever the template has tasks, even when
    they are skipped, hence unsafe=True next to skip_tasks=True.
    """
    copier.run_update(
        project,
        data=data,
        vcs_ref="HEAD",
        defaults=True,
        overwrite=True,
        skip_tasks=not tasks,
        unsafe=True,
        quiet=True,
    )


def clean(project: Path) -> bool:
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    return status.stdout == ""


def conflicts(project: Path) -> list[str]:
    found = [str(p.relative_to(project)) for p in project.rglob("*.rej")]
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="ignore")
            if "<<<<<<< " in text or ">>>>>>> " in text:
                found.append(str(path.relative_to(project)))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("track", TRACKS)
def test_update_applies_template_changes_and_keeps_owner_edits(
    track: str, template_repo: Path, environment: Environments, tmp_path: Path
) -> None:
    template = tmp_path / "template"
    shutil.copytree(template_repo, template)
    project = render_and_commit(
        template, tmp_path / "project", {"track": track, "level": first_level(track)}
    )
    package = next((project / "src").iterdir()).name

    # The owner's edits: a hyperparameter, a test of their own, a README paragraph.
    setting, changed = OWNER_SETTING.get(track, OWNER_SETTING["default"])
    edit(project / "src" / package / "config.py", setting, changed)
    (project / "tests" / "test_owner.py").write_text("def test_owner() -> None:\n    assert True\n")
    edit(
        project / "README.md",
        "\n## Quickstart",
        "\nOwner's note: trained on my data.\n\n## Quickstart",
    )
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "owner's edits")

    # A template change at HEAD, in shared files the owner did not touch.
    edit(template / "templates/_shared/gitignore.jinja", ".env\n", ".env\n.ipynb_checkpoints/\n")
    edit(
        template / "templates/_shared/Makefile.jinja",
        "\nclean:",
        "\nhelp:\n\t{{ project_slug }} --help\n\nclean:",
    )
    git(template, "commit", "--quiet", "-am", "template change")

    update(project)

    assert conflicts(project) == []
    assert changed in (project / "src" / package / "config.py").read_text()
    assert (project / "tests" / "test_owner.py").is_file()
    assert "Owner's note: trained on my data." in (project / "README.md").read_text()
    assert ".ipynb_checkpoints/" in (project / ".gitignore").read_text()
    assert "--help" in (project / "Makefile").read_text()
    result = environment(track, first_level(track)).pytest_in(project, "-rA")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "PASSED tests/test_owner.py::test_owner" in result.stdout


@pytest.mark.parametrize("track", TRACKS)
def test_growing_to_an_unbuilt_level_is_refused_and_changes_nothing(
    track: str, template_repo: Path, tmp_path: Path
) -> None:
    level = first_level(track)
    higher = [
        lv for lv in LEVELS[LEVELS.index(level) + 1 :] if (track, lv) not in built_track_levels()
    ]
    if not higher:
        pytest.skip(f"every level above {level} is built for {track}")
    project = render_and_commit(
        template_repo, tmp_path / "project", {"track": track, "level": level}
    )
    with pytest.raises(ValueError, match="not built yet"):
        update(project, level=higher[0])
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=project, capture_output=True, text=True
    )
    assert status.stdout == ""


@pytest.mark.slow
@pytest.mark.parametrize(("track", "level", "next_level"), GROWTH)
def test_growing_a_project_keeps_owner_edits(
    track: str,
    level: str,
    next_level: str,
    template_repo: Path,
    environment: Environments,
    tmp_path: Path,
) -> None:
    project = render_and_commit(
        template_repo, tmp_path / "project", {"track": track, "level": level}, ref="HEAD"
    )
    edit(project / "README.md", "\n## Quickstart", "\nOwner's note.\n\n## Quickstart")
    git(project, "commit", "--quiet", "-am", "owner's edit")
    update(project, level=next_level)
    assert conflicts(project) == []
    assert "Owner's note." in (project / "README.md").read_text()
    result = environment(track, next_level).pytest_in(project)
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.mark.parametrize("track", TRACKS)
def test_a_track_change_is_refused_and_changes_nothing(
    track: str, template_repo: Path, tmp_path: Path
) -> None:
    other = next(t for t in TRACKS if t != track)
    project = render_and_commit(template_repo, tmp_path / "project", {"track": track}, ref="HEAD")
    with pytest.raises(ValueError, match=f"cannot turn it into {other}"):
        update(project, track=other)
    assert clean(project)


def removed_by_growth(track: str, low: str, high: str, template: Path, tmp: Path) -> list[str]:
    """Template files at level `low` that level `high` does not have."""
    lower = render_and_commit(template, tmp / "low", {"track": track, "level": low}, "HEAD")
    names = yaml.safe_load((lower / ".copier-answers.yml").read_text())
    same = {key: names[key] for key in ("project_name", "project_slug", "package_name")}
    higher = render_and_commit(
        template, tmp / "high", {"track": track, "level": high, **same}, "HEAD"
    )
    files = {str(p.relative_to(lower)) for p in lower.rglob("*.py") if ".git" not in p.parts}
    return sorted(name for name in files if not (higher / name).exists())


# Level changes that remove template files: (track, from, to). Going down needs
# --data allow_downgrade=true; growing deep-learning replaces the digits code.
REMOVALS = [("classical-ml", "advanced", "beginner"), ("deep-learning", "beginner", "intermediate")]


@pytest.mark.parametrize(("track", "start", "end"), REMOVALS)
def test_a_level_change_keeps_edited_files_it_removes_as_orig(
    track: str,
    start: str,
    end: str,
    template_repo: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    removed = removed_by_growth(track, start, end, template_repo, tmp_path)
    assert len(removed) >= 2, removed  # one to edit, one to leave alone
    edited, untouched = removed[0], removed[1]
    project = render_and_commit(
        template_repo, tmp_path / "project", {"track": track, "level": start}, ref="HEAD"
    )
    with (project / edited).open("a") as file:
        file.write("\nOWNER_CONSTANT = 42  # the owner's work\n")
    git(project, "commit", "--quiet", "-am", "owner's edit")
    going_down = LEVELS.index(end) < LEVELS.index(start)
    if going_down:
        with pytest.raises(ValueError, match="allow_downgrade=true"):
            update(project, level=end)
        assert clean(project)
        update(project, tasks=True, level=end, allow_downgrade="true")
    else:
        update(project, tasks=True, level=end)
    assert not (project / edited).exists() and not (project / untouched).exists()
    kept = project / f"{edited}.orig"
    assert "OWNER_CONSTANT = 42" in kept.read_text()
    assert sorted(str(p.relative_to(project)) for p in project.rglob("*.orig")) == [
        f"{edited}.orig"
    ]  # untouched template files are not kept
    output = capfd.readouterr()
    assert f"{edited} -> {edited}.orig" in output.out + output.err
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["level"] == end and answers["rendered_level"] == end
    assert answers.get("allow_downgrade", False) is going_down  # the owner's consent


def test_the_scheduled_check_sees_a_newer_template_release(
    template_repo: Path, tmp_path: Path
) -> None:
    """What the generated template-update workflow runs, on a real clone: status 0
    while the project is on the newest tag, 2 once the template tags a newer one."""
    template = tmp_path / "template"
    shutil.copytree(template_repo, template)
    project = render_and_commit(template, tmp_path / "project", {})
    workflow = (project / ".github" / "workflows" / "template-update.yml").read_text()
    assert "copier check-update --quiet" in workflow

    def check() -> int:
        command = [sys.executable, "-m", "copier", "check-update", "--quiet"]
        return subprocess.run(command, cwd=project, capture_output=True, text=True).returncode

    assert check() == 0
    edit(template / "templates/_shared/gitignore.jinja", ".env\n", ".env\n.ipynb_checkpoints/\n")
    git(template, "commit", "--quiet", "-am", "template change")
    git(template, "tag", "v0.1.0")
    assert check() == 2
