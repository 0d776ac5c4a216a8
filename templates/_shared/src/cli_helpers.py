"""What every command needs: settings built from its options, and tidy output.

Options map one-to-one onto ``Settings`` fields, and ``--set name=value``
reaches every other field.
"""

from __future__ import annotations

import json
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from .config import Settings

console = Console()


def parse_assignments(assignments: list[str] | None) -> dict[str, Any]:
    """['seed=7', 'model_dir=out'] -> {'seed': 7, 'model_dir': 'out'}."""
    values: dict[str, Any] = {}
    for assignment in assignments or []:
        name, sep, raw = assignment.partition("=")
        if not sep or name.strip() not in Settings.model_fields:
            console.print(
                f"[red]--set {assignment!r}: expected name=value with name one of[/red] "
                + ", ".join(Settings.model_fields)
            )
            raise typer.Exit(2)
        try:
            values[name.strip()] = json.loads(raw)  # numbers, lists, true/false
        except json.JSONDecodeError:
            values[name.strip()] = raw  # plain text, e.g. a path
    return values


def build_settings(assignments: list[str] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment, with the options the user actually gave on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**{**parse_assignments(assignments), **given})
    except (ValidationError, ValueError) as error:
        console.print(f"[red]Invalid settings:[/red]\n{error}")
        raise typer.Exit(2) from error


def show_metrics(title: str, metrics: dict[str, float]) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(metrics.items()):
        table.add_row(name, f"{value:.4f}")
    console.print(table)
