"""Update task: keep the owner's edits to files that `copier update` removes.

Changing the level can remove template files (deep-learning's beginner
`digits.py` has no place at intermediate; going down a level removes `tune.py`),
and so can a new template version. Copier deletes them even when the owner
edited them. Copier runs its tasks after writing the new version over the
project and before removing the old files, so this task renders the template
as the project was (the answers and commit of the last commit) and as it will
be (the answers file just written), and writes every edited file that only the
old render has back as `<name>.orig`, saying so. Untouched files go quietly.

Copier runs this with its own interpreter (``_copier_python``), only with
``--trust`` (``--skip-tasks`` skips it), in the project and in its scratch
copies; those are not git work trees, and it leaves them alone.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import copier
import yaml


def git(*args: str) -> bytes:
    return subprocess.run(["git", *args], capture_output=True, check=True).stdout


def inside_git_work_tree() -> bool:
    found = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True
    )
    return found.stdout.strip() == "true"


def render(answers: dict, destination: Path) -> set[str]:
    """The template at the answers' commit, rendered with them: its file names."""
    data = {key: value for key, value in answers.items() if not key.startswith("_")}
    copier.run_copy(
        answers["_src_path"],
        destination,
        data=data,
        vcs_ref=answers.get("_commit"),
        defaults=True,
        skip_tasks=True,
        quiet=True,
    )
    return {str(p.relative_to(destination)) for p in destination.rglob("*") if p.is_file()}


def main() -> int:
    if shutil.which("git") is None or not inside_git_work_tree():
        return 0  # one of Copier's scratch copies
    before = yaml.safe_load(git("show", "HEAD:./.copier-answers.yml"))
    after = yaml.safe_load(Path(".copier-answers.yml").read_text())
    if before == after:
        return 0
    kept = []
    with tempfile.TemporaryDirectory() as folder:
        old = Path(folder) / "before"
        removed = render(before, old) - render(after, Path(folder) / "after")
        for name in sorted(removed):
            here = Path(name)
            if not here.is_file() or here.read_bytes() == (old / name).read_bytes():
                continue  # gone already, or the template's own text: nothing to keep
            aside = Path(f"{name}.orig")
            shutil.copyfile(here, aside)
            kept.append(f"{name} -> {aside}")
    if kept:
        print("copier update removes files you had edited; your versions are kept:")
        for line in kept:
            print(f"  {line}")
        print("Move what you need into the new layout, then delete the .orig files.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
