"""Git LFS pointers where the model should be.

A repository that commits models/ through Git LFS (see .gitattributes) holds
small text pointers in git and the files on the LFS server. A checkout that
did not fetch them (no `git lfs` on the machine, or a platform that clones
without LFS) has the pointers in models/: the service would fail to parse
them as models with an error that does not say why.
"""

from __future__ import annotations

from pathlib import Path

# The first line of every Git LFS pointer file (git-lfs/docs/spec.md).
POINTER_HEADER = b"version https://git-lfs.github.com/spec/v1"
POINTER_MAX_BYTES = 1024  # pointers are about 130 bytes; models are far larger


def lfs_pointers(folder: Path) -> list[Path]:
    """Files in folder that are Git LFS pointers, not the files they stand for."""
    if not folder.is_dir():
        return []
    pointers = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.stat().st_size <= POINTER_MAX_BYTES:
            with path.open("rb") as file:
                if file.read(len(POINTER_HEADER)) == POINTER_HEADER:
                    pointers.append(path)
    return pointers


def pointer_message(folder: Path, pointers: list[Path]) -> str:
    names = ", ".join(str(path.relative_to(folder)) for path in pointers[:3])
    more = f" and {len(pointers) - 3} more" if len(pointers) > 3 else ""
    return (
        f"{folder}/ holds Git LFS pointers, not the model ({names}{more}): run "
        "`git lfs install && git lfs pull` in the checkout the service runs from"
    )
