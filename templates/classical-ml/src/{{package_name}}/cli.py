"""Command line: train, evaluate, predict and serve.

Options map one-to-one onto ``Settings`` fields; anything not given on the
command line comes from APP_* environment variables, a .env file or defaults.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from .config import Settings

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)
console = Console()


def build_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with the options the user actually gave on top."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        console.print(f"[red]Invalid settings:[/red]\n{error}")
        raise typer.Exit(2) from error


def show_metrics(title: str, metrics: dict[str, float]) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in sorted(metrics.items()):
        table.add_row(name, f"{value:.4f}")
    console.print(table)


DatasetOption = Annotated[
    str | None, typer.Option(help="breast_cancer, diabetes or csv (then --csv-path and --target)")
]
CsvOption = Annotated[Path | None, typer.Option(help="CSV file to train on")]
TargetOption = Annotated[str | None, typer.Option(help="Target column of the CSV")]
ModelDirOption = Annotated[Path | None, typer.Option(help="Folder of the exported model")]


@app.command()
def train(
    dataset: DatasetOption = None,
    csv_path: CsvOption = None,
    target: TargetOption = None,
    task: Annotated[str | None, typer.Option(help="auto, classification or regression")] = None,
    estimator: Annotated[str | None, typer.Option(help="linear or random_forest")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed")] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Train, evaluate, log to MLflow, register and export the model."""
    try:
        from .train import train as run_training  # heavy imports only when needed
    except ModuleNotFoundError as error:
        console.print(
            f"[red]Training needs the `train` extra ({error.name} is missing):[/red] "
            "pip install -e '.[train]'"
        )
        raise typer.Exit(1) from error

    settings = build_settings(
        dataset=dataset,
        csv_path=csv_path,
        target=target,
        task=task,
        estimator=estimator,
        seed=seed,
        model_dir=model_dir,
    )
    try:
        result = run_training(settings)
    except (FileNotFoundError, ValueError) as error:
        console.print(f"[red]Training failed:[/red] {error}")
        raise typer.Exit(1) from error
    show_metrics("Held-out metrics", result.metrics)
    console.print(
        f"MLflow run [bold]{result.run_id}[/bold], registered version "
        f"[bold]{result.model_version}[/bold]; model exported to {result.model_dir}/"
    )


@app.command()
def evaluate(
    dataset: DatasetOption = None,
    csv_path: CsvOption = None,
    target: TargetOption = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Score the exported model on the held-out split of the data."""
    from .data import load_dataset, split_dataset
    from .evaluate import compute_metrics
    from .export import ModelLoadError, load_model

    settings = build_settings(
        dataset=dataset, csv_path=csv_path, target=target, model_dir=model_dir
    )
    try:
        exported = load_model(settings.model_dir)
        data = load_dataset(settings)
    except (ModelLoadError, FileNotFoundError, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    split = split_dataset(data, settings)
    metrics = compute_metrics(exported.pipeline, split.x_test, split.y_test, data.task)
    show_metrics("Held-out metrics", metrics)


@app.command()
def predict(
    input_csv: Annotated[Path, typer.Argument(help="CSV with one row per example")],
    output_csv: Annotated[Path, typer.Argument(help="Where to write the predictions")],
    model_dir: ModelDirOption = None,
) -> None:
    """Predict every row of a CSV; writes the input columns plus the predictions."""
    import pandas as pd

    from .data import normalise_columns
    from .export import ModelLoadError, load_model
    from .serving.predictor import Predictor

    settings = build_settings(model_dir=model_dir)
    try:
        predictor = Predictor(load_model(settings.model_dir))
        frame = normalise_columns(pd.read_csv(input_csv))
    except (ModelLoadError, FileNotFoundError, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    missing = [name for name in predictor.columns if name not in frame.columns]
    if missing:
        console.print(f"[red]{input_csv} lacks feature columns: {', '.join(missing)}[/red]")
        raise typer.Exit(1)
    predictions = predictor.predict(frame[predictor.columns].to_dict(orient="records"))
    frame["prediction"] = [p["prediction"] for p in predictions]
    for label in predictor.classes or []:
        frame[f"probability_{label}"] = [p["probabilities"][str(label)] for p in predictions]
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(output_csv, index=False)
    console.print(f"Wrote {len(frame)} predictions to {output_csv}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or the project's)")] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Serve the exported model over HTTP (demo page at /, API docs at /docs)."""
    import uvicorn

    from .serving.app import create_app

    settings = build_settings(host=host, port=port, model_dir=model_dir)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The access log costs more than a fast prediction; errors are still logged.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
