"""Progress over an epoch's batches: a live bar on a terminal, plain lines elsewhere.

In CI logs, ``docker logs`` and redirected output a rich bar shows nothing until
it is gone, and a long epoch looks like a hang. There ``PlainProgress`` prints
a line every ``interval_s`` seconds instead: what, how far, how long.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

PLAIN_INTERVAL_S = 15.0


class BatchProgress(Protocol):
    """What ``train.run_epoch`` needs; rich's ``Progress`` already is one."""

    def add_task(self, description: str, *, total: float | None = ...) -> Any: ...

    def update(
        self, task_id: Any, *, advance: float | None = ..., description: str | None = ...
    ) -> None: ...

    def remove_task(self, task_id: Any) -> None: ...


@dataclass
class _Task:
    description: str
    total: float | None
    completed: float = 0
    started: float = field(default_factory=time.monotonic)
    last_line: float = field(default_factory=time.monotonic)


class PlainProgress:
    """One line per task every ``interval_s`` seconds, for output that is not a terminal."""

    def __init__(self, console: Console, interval_s: float = PLAIN_INTERVAL_S) -> None:
        self.console = console
        self.interval_s = interval_s
        self.tasks: dict[int, _Task] = {}

    def __enter__(self) -> PlainProgress:
        return self

    def __exit__(self, *_: object) -> None:
        self.tasks.clear()

    def add_task(self, description: str, total: float | None = None) -> int:
        task_id = len(self.tasks)
        self.tasks[task_id] = _Task(description, total)
        return task_id

    def update(
        self, task_id: int, *, advance: float | None = None, description: str | None = None
    ) -> None:
        task = self.tasks[task_id]
        task.completed += advance or 0
        task.description = description or task.description
        now = time.monotonic()
        if now - task.last_line >= self.interval_s:
            task.last_line = now
            of = f"/{task.total:.0f}" if task.total is not None else ""
            self.console.print(
                f"{task.description}: {task.completed:.0f}{of} batches, {now - task.started:.0f} s",
                highlight=False,
            )

    def remove_task(self, task_id: int) -> None:
        self.tasks.pop(task_id, None)


def batch_progress(console: Console) -> Progress | PlainProgress:
    """A bar that clears itself on a terminal; periodic plain lines anywhere else."""
    if console.is_terminal:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        return Progress(*columns, console=console, transient=True)
    return PlainProgress(console)
