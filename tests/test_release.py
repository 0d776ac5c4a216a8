"""scripts/release.py: the CHANGELOG's [Unreleased] becomes a tagged version."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git
from matrix import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import release  # a script, not a package: imported from its folder

CHANGELOG = """# Changelog

Intro.

## [Unreleased]

### Added
- a feature

## [0.1.0] - 2026-11-24

### Added
- the first track
"""
TODAY = datetime.date(2026, 12, 3)


def test_unreleased_entries_become_the_version_and_older_ones_stay() -> None:
    released = release.release_changelog(CHANGELOG, "0.2.0", [], TODAY)
    assert released == CHANGELOG.replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n## [0.2.0] - 2026-12-03\n"
    )
    assert (
        release.entries_of(released, "0.2.0") == "## [0.2.0] - 2026-12-03\n\n### Added\n- a feature"
    )


@pytest.mark.parametrize(
    ("version", "tags", "message"),
    [
        ("0.1.0", [], "not above 0.1.0"),
        ("0.2.0", ["v0.3.0"], "not above 0.3.0"),
        ("v0.2.0", [], "not MAJOR.MINOR.PATCH"),
        ("0.2", [], "not MAJOR.MINOR.PATCH"),
    ],
)
def test_a_version_not_above_every_release_is_refused(
    version: str, tags: list[str], message: str
) -> None:
    with pytest.raises(release.ReleaseError, match=message):
        release.release_changelog(CHANGELOG, version, tags, TODAY)


def test_an_empty_unreleased_section_is_refused() -> None:
    empty = release.release_changelog(CHANGELOG, "0.2.0", [], TODAY)
    with pytest.raises(release.ReleaseError, match="empty"):
        release.release_changelog(empty, "0.3.0", [], TODAY)


def test_a_release_commits_and_tags_with_the_versions_entries(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(CHANGELOG)
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "start")
    (tmp_path / "notes.txt").write_text("not committed")
    command = [
        sys.executable,
        str(ROOT / "scripts" / "release.py"),
        "0.2.0",
        "--root",
        str(tmp_path),
    ]
    dirty = subprocess.run(command, capture_output=True, text=True)
    assert dirty.returncode == 1 and "uncommitted changes" in dirty.stderr
    (tmp_path / "notes.txt").unlink()
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@localhost",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@localhost",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert done.returncode == 0, done.stderr
    assert git(tmp_path, "tag", "--list") == "v0.2.0\n"
    message = git(tmp_path, "tag", "--list", "--format=%(contents)", "v0.2.0")
    assert "### Added\n- a feature" in message
    assert "## [0.2.0] - " in (tmp_path / "CHANGELOG.md").read_text()
    assert git(tmp_path, "status", "--porcelain") == ""
