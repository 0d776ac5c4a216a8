"""Release the template: the CHANGELOG's [Unreleased] section becomes a version.

    python3 scripts/release.py 0.2.0            # commit and tag v0.2.0
    python3 scripts/release.py 0.2.0 --dry-run  # show what would change

It moves the entries under ``## [Unreleased]`` to ``## [0.2.0] - <today>``,
leaves an empty [Unreleased] above them, commits CHANGELOG.md, and makes an
annotated tag ``v0.2.0`` whose message is that version's entries. Generated
projects then move to it with ``copier update``, and their scheduled
template-update job notices it. Push with ``git push --follow-tags``.

It refuses: a version that is not MAJOR.MINOR.PATCH, one not above every
version already released or tagged, an empty [Unreleased], and a work tree
with uncommitted changes (the tag must name exactly what was tested).
Standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import re
import subprocess
import sys
from pathlib import Path

VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
UNRELEASED = "## [Unreleased]"
RELEASED = re.compile(r"^## \[(\d+\.\d+\.\d+)\]", re.MULTILINE)


class ReleaseError(ValueError):
    """Why this release cannot be made; nothing was changed."""


def parse(version: str) -> tuple[int, int, int]:
    match = VERSION.match(version)
    if match is None:
        raise ReleaseError(f"{version!r} is not MAJOR.MINOR.PATCH (e.g. 0.2.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def released_versions(changelog: str, tags: list[str]) -> list[tuple[int, int, int]]:
    versions = [parse(found) for found in RELEASED.findall(changelog)]
    versions += [parse(tag[1:]) for tag in tags if VERSION.match(tag[1:] if tag[:1] == "v" else "")]
    return versions


def release_changelog(changelog: str, version: str, tags: list[str], today: datetime.date) -> str:
    """The CHANGELOG with [Unreleased] released as `version`."""
    wanted = parse(version)
    newer = [found for found in released_versions(changelog, tags) if found >= wanted]
    if newer:
        latest = ".".join(str(part) for part in max(newer))
        raise ReleaseError(f"{version} is not above {latest}, which is already released")
    if UNRELEASED not in changelog:
        raise ReleaseError(f"CHANGELOG.md has no {UNRELEASED!r} heading")
    head, _, rest = changelog.partition(UNRELEASED)
    following = RELEASED.search(rest)
    entries = rest[: following.start()] if following else rest
    if not entries.strip():
        raise ReleaseError("[Unreleased] is empty: nothing to release")
    tail = rest[following.start() :] if following else ""
    heading = f"## [{version}] - {today.isoformat()}"
    return f"{head}{UNRELEASED}\n\n{heading}\n\n{entries.strip()}\n\n{tail}".rstrip() + "\n"


def entries_of(changelog: str, version: str) -> str:
    """One released version's entries, for the tag's message."""
    start = changelog.index(f"## [{version}]")
    following = RELEASED.search(changelog, start + 1)
    return changelog[start : following.start() if following else None].strip()


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="MAJOR.MINOR.PATCH, e.g. 0.2.0")
    parser.add_argument("--dry-run", action="store_true", help="print, change nothing")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    options = parser.parse_args(arguments)
    root: Path = options.root
    changelog_path = root / "CHANGELOG.md"
    try:
        if git(root, "status", "--porcelain"):
            raise ReleaseError("the work tree has uncommitted changes: commit or stash them")
        tags = git(root, "tag", "--list").split()
        changelog = changelog_path.read_text()
        released = release_changelog(changelog, options.version, tags, datetime.date.today())
    except ReleaseError as error:
        print(f"not released: {error}", file=sys.stderr)
        return 1
    message = entries_of(released, options.version)
    if options.dry_run:
        print(message)
        return 0
    changelog_path.write_text(released)
    git(root, "add", "CHANGELOG.md")
    git(root, "commit", "--quiet", "-m", f"Release {options.version}")
    # verbatim: the entries' "## " and "### " lines are not comments here
    git(root, "tag", "--annotate", "--cleanup=verbatim", f"v{options.version}", "-m", message)
    print(f"tagged v{options.version}; push it with: git push --follow-tags")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
