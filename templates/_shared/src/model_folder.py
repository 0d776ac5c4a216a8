"""The model folder the service loads: replaced whole or not at all, on any disk.

A new model is written to a staging folder *inside* the model folder, so every
rename stays on one filesystem and nothing renames the model folder itself:
that fails with EBUSY when it is a mount point (a Docker or Kubernetes volume).
The complete staging folder is renamed to ``.ready`` in one atomic step, with
a manifest of its files; the files then replace the old model's one by one.
A process killed during that leaves ``.ready`` behind, and the next export or
service start finishes the job, so the folder never stays half old, half new.
The manifest of the model in place (``.manifest``) says which files are the
model's: anything else in the folder is left alone.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

INCOMING = ".incoming"  # being written: removed if the writer fails or dies
READY = ".ready"  # complete: its files are moving into place
RETIRED = ".retired"  # the old model's files on their way out
MANIFEST = ".manifest"  # JSON list of the model's files and folders
HOUSEKEEPING = {INCOMING, READY, RETIRED, MANIFEST}

log = logging.getLogger(__name__)


class ModelFolderError(OSError):
    """The model folder cannot be written; the message says why and what to do."""


def check_writable(model_dir: Path) -> None:
    """Refuse a model folder this process cannot write, before any training.

    A folder that does not exist yet is not made here: its nearest existing
    parent must take new entries instead.
    """
    existing = model_dir.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        with tempfile.NamedTemporaryFile(dir=existing, prefix=".probe-"):
            pass
    except OSError as error:
        raise ModelFolderError(
            f"cannot write the model folder {model_dir}: {_reason(error)}. "
            "Make it writable or choose another with --model-dir (APP_MODEL_DIR); "
            "nothing was trained"
        ) from error


@contextmanager
def replacing(model_dir: Path) -> Iterator[Path]:
    """A folder to write the new model into; on success it replaces the old one.

    If the body raises (a full disk, a failed check), the partial model is
    removed and the model in place is unchanged.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    with exclusive(model_dir):
        _finish(model_dir)
        incoming = model_dir / INCOMING
        incoming.mkdir()
        try:
            yield incoming
            names = sorted(path.name for path in incoming.iterdir())
            (incoming / MANIFEST).write_text(json.dumps(names) + "\n")
            incoming.rename(model_dir / READY)
        except BaseException as error:
            shutil.rmtree(incoming, ignore_errors=True)
            if isinstance(error, OSError) and not isinstance(error, ModelFolderError):
                raise ModelFolderError(
                    f"could not write the new model to {model_dir}: {_reason(error)}; "
                    "the model in place is unchanged"
                ) from error
            raise
        _finish(model_dir)


def finish_interrupted(model_dir: Path) -> None:
    """Complete or clean up an export that a killed process left half-done.

    Called when the service starts; a folder it cannot write is left as it is.
    """
    if not (model_dir / READY).exists() and not (model_dir / INCOMING).exists():
        return
    try:
        with exclusive(model_dir):
            _finish(model_dir)
    except OSError as error:
        log.warning("could not finish the interrupted export in %s: %s", model_dir, error)
    else:
        log.warning("finished an export that was interrupted in %s", model_dir)


def _finish(model_dir: Path) -> None:
    """Move `.ready`'s files into place; drop a partial `.incoming`. Idempotent:
    a kill at any point leaves a state this function completes."""
    shutil.rmtree(model_dir / INCOMING, ignore_errors=True)
    ready, retired = model_dir / READY, model_dir / RETIRED
    if (ready / MANIFEST).is_file():
        new = json.loads((ready / MANIFEST).read_text())
        old = _model_entries(model_dir)
        retired.mkdir(exist_ok=True)
        # metadata.json last: it is what says "a model is here".
        for name in sorted(new, key=lambda name: name == "metadata.json"):
            if not (ready / name).exists():
                continue  # moved before an interruption
            target = model_dir / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(retired / name, ignore_errors=True)  # from an interrupted try
                target.rename(retired / name)  # a folder cannot be replaced in one step
            os.replace(ready / name, target)
        for name in set(old) - set(new) - HOUSEKEEPING:
            with suppress(FileNotFoundError):
                os.replace(model_dir / name, retired / name)
        os.replace(ready / MANIFEST, model_dir / MANIFEST)
    shutil.rmtree(ready, ignore_errors=True)
    shutil.rmtree(retired, ignore_errors=True)


def _model_entries(model_dir: Path) -> list[str]:
    """The files of the model in place: its manifest, or (a folder from before
    manifests) everything that is not hidden."""
    manifest = model_dir / MANIFEST
    if manifest.is_file():
        return json.loads(manifest.read_text())
    return [path.name for path in model_dir.iterdir() if not path.name.startswith(".")]


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@contextmanager
def exclusive(model_dir: Path) -> Iterator[None]:
    """One change to the model folder at a time: tune workers sharing a study can
    export at the same moment. An advisory lock on the folder itself (no lock
    file to clean up or commit), where the OS has one (not on Windows)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    descriptor = os.open(model_dir, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock
