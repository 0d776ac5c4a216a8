"""The documented way to ship a trained model to a deploy: commit models/ through
Git LFS (the project's .gitattributes). Run for real: git and git-lfs, a commit,
a clone that did not fetch the LFS files (as a platform without LFS checks out),
the service on that clone, then `git lfs pull` and the service again.

CI installs git-lfs (scripts/containers.sh); MLFOLIO_REQUIRE_DOCKER=1 makes its
absence a failure there, as for the other system tools.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from conftest import Environments, git
from matrix import Case, first_level, level_defaults
from projects import serving

pytestmark = pytest.mark.slow

POINTER = b"version https://git-lfs.github.com/spec/v1"
# Each track at its first level: the export code and .gitattributes are the
# same at every level of a track.
FIRST_LEVELS = [case for case in level_defaults() if case.level == first_level(case.track)]


def require_git_lfs() -> None:
    found = subprocess.run(["git", "lfs", "version"], capture_output=True).returncode == 0
    if not found:
        if os.environ.get("MLFOLIO_REQUIRE_DOCKER") == "1":
            pytest.fail("git-lfs is missing (scripts/containers.sh installs it)")
        pytest.skip("git-lfs is not installed")


def lfs_patterns(repo: Path) -> list[str]:
    """The patterns .gitattributes sends to LFS, as fnmatch patterns."""
    lines = (repo / ".gitattributes").read_text().splitlines()
    patterns = [line.split()[0] for line in lines if "filter=lfs" in line]
    return [pattern.replace("**/", "*") for pattern in patterns]


@pytest.mark.parametrize("case", FIRST_LEVELS, ids=[case.id for case in FIRST_LEVELS])
def test_models_ship_through_git_lfs_and_a_checkout_without_them_says_why(
    case: Case, trained: Environments, tmp_path: Path
) -> None:
    require_git_lfs()
    project = trained(case.track, case.level)
    repo = tmp_path / "repo"
    shutil.copytree(project.project, repo, ignore=shutil.ignore_patterns(".venv"))
    git(repo, "init", "--quiet")
    git(repo, "lfs", "install", "--local")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "model")

    models = sorted(
        str(path.relative_to(repo)) for path in (repo / "models").rglob("*") if path.is_file()
    )
    binaries = [
        name for name in models if any(fnmatch.fnmatch(name, p) for p in lfs_patterns(repo))
    ]
    assert binaries, f"no model file matches .gitattributes: {models}"
    assert git(repo, "lfs", "ls-files", "--name-only").split() == binaries
    for name in binaries:  # git holds pointers; the files are in LFS storage
        assert git(repo, "cat-file", "-p", f"HEAD:{name}").encode().startswith(POINTER)
    committed = set(git(repo, "ls-files", "models").split())
    assert set(models) <= committed, "the export must not be ignored by .gitignore"

    # A clone that did not fetch LFS files: pointers where the model should be.
    clone = tmp_path / "clone"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_LFS_SKIP_SMUDGE", "1")
        git(tmp_path, "clone", "--quiet", str(repo), str(clone))
    assert (clone / binaries[0]).read_bytes().startswith(POINTER)
    if (project.project / ".env").exists():  # settings a user keeps out of git
        shutil.copy(project.project / ".env", clone / ".env")
    on_clone = dataclasses.replace(project, project=clone)
    with serving(on_clone, ready=False) as server:
        ready = httpx.get(f"{server.url}/ready", timeout=10)
    assert ready.status_code == 503, ready.text
    reason = ready.json()["reason"]
    assert "Git LFS pointers" in reason and "git lfs pull" in reason, reason
    assert Path(binaries[0]).name in reason

    git(clone, "lfs", "install", "--local")
    git(clone, "lfs", "pull")
    for name in binaries:
        assert (clone / name).read_bytes() == (repo / name).read_bytes()
    with serving(on_clone) as server:  # waits for /ready to say 200
        assert httpx.get(f"{server.url}/ready", timeout=10).status_code == 200
