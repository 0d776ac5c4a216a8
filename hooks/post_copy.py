"""Post-copy task: make the new project a git repository with a first commit.

Copier runs this with its own interpreter (``_copier_python``) inside the new
project, only with ``--trust``; ``--skip-tasks`` skips it. Standard library only.
It does nothing when git is missing or the destination already lives inside a
git work tree (a monorepo, say), because committing there is the owner's call.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


def main() -> int:
    if shutil.which("git") is None:
        print("post-copy: git not found; skipping git init.")
        return 0
    if git("rev-parse", "--is-inside-work-tree").stdout.strip() == "true":
        print("post-copy: already inside a git repository; leaving it alone.")
        return 0
    # A commit needs an identity; use the user's own where git has one.
    identity: list[str] = []
    if not git("config", "user.email").stdout.strip():
        identity = ["-c", "user.name=mlfolio", "-c", "user.email=mlfolio@localhost"]
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        [*identity, "commit", "--quiet", "-m", "Initial commit from mlfolio"],
    ):
        result = git(*args)
        if result.returncode != 0:
            print(
                f"post-copy: git {' '.join(args)} failed:\n{result.stderr}",
                file=sys.stderr,
            )
            return result.returncode
    print(f"post-copy: initialised a git repository in {Path.cwd()}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
