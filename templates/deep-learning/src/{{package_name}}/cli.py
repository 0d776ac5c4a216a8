"""Command line: train, evaluate, predict and serve.

Options map one-to-one onto ``Settings`` fields, and ``--set name=value``
reaches every other field; anything not given on the command line comes from
APP_* environment variables, a .env file or defaults.
"""

from __future__ import annotations

import csv
import importlib
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import track

from .cli_helpers import build_settings, console, show_metrics
from .config import Settings

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


ModelDirOption = Annotated[Path | None, typer.Option(help="Folder of the exported model")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Any setting as name=value (repeatable), e.g. --set patience=3"),
]


def require_train_extra(module: str) -> Any:
    """Import a module that needs the `train` extra, or exit with how to get it."""
    try:
        return importlib.import_module(f".{module}", __package__)
    except ModuleNotFoundError as error:
        console.print(
            f"[red]This command needs the `train` extra ({error.name} is missing):[/red] "
            "uv pip install -e '.[train]'"
        )
        raise typer.Exit(1) from error


@app.command()
def train(
    epochs: Annotated[
        int | None, typer.Option(help="Most epochs (early stopping may end sooner)")
    ] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda or mps")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed")] = None,
    model_dir: ModelDirOption = None,
    assignments: SetOption = None,
) -> None:
    """Train the CNN, log to MLflow, register the model and export it for serving."""
    settings = build_settings(
        assignments, epochs=epochs, device=device, seed=seed, model_dir=model_dir
    )
    training = require_train_extra("train")
    try:
        result = training.train(settings)
    except ValueError as error:  # e.g. device=cuda without a GPU, a failed ONNX parity check
        console.print(f"[red]Training failed:[/red] {error}")
        raise typer.Exit(1) from error
    show_metrics(
        f"Held-out metrics (epoch {result.best_epoch} of {result.epochs_run} kept)",
        result.metrics,
    )
    console.print(
        f"MLflow run [bold]{result.run_id}[/bold], registered version "
        f"[bold]{result.model_version}[/bold]; model exported to {result.model_dir}/"
    )


def load_or_exit(settings: Settings) -> Any:
    from .serving.predictor import ModelLoadError, load_predictor

    try:
        return load_predictor(settings)
    except ModelLoadError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error


@app.command()
def evaluate(model_dir: ModelDirOption = None) -> None:
    """Score the exported (ONNX) model on the held-out split of the digits."""
    split_dataset = require_train_extra("data").split_dataset
    settings = build_settings(model_dir=model_dir)
    predictor = load_or_exit(settings)
    split = split_dataset(settings)
    probabilities = predictor.probabilities(split.x_test)
    accuracy = float((probabilities.argmax(axis=1) == split.y_test).mean())
    show_metrics(f"Held-out metrics ({len(split.y_test)} images)", {"test_accuracy": accuracy})


@app.command()
def predict(
    images: Annotated[list[Path], typer.Argument(help="PNG or JPEG files, or folders of them")],
    output_csv: Annotated[Path, typer.Option(help="Where to write the predictions")] = Path(
        "reports/predictions.csv"
    ),
    model_dir: ModelDirOption = None,
) -> None:
    """Recognise the digit in each image; write file, digit and confidence to a CSV.

    An image that cannot be used is reported and skipped; the others are predicted.
    """
    from .serving.images import ImageError, decode_upload

    settings = build_settings(model_dir=model_dir)
    files = sorted(
        file
        for path in images
        for file in (path.rglob("*") if path.is_dir() else [path])
        if file.suffix.lower() in IMAGE_SUFFIXES or not path.is_dir()
    )
    missing = [str(file) for file in files if not file.is_file()]
    if missing or not files:
        console.print(f"[red]No such image files: {', '.join(missing) or images}[/red]")
        raise typer.Exit(1)
    predictor = load_or_exit(settings)
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    written, skipped = 0, 0
    with output_csv.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "digit", "confidence"])
        for file in track(files, description="predicting", console=console):
            try:
                batch = decode_upload(file.read_bytes(), settings.max_image_pixels)
            except ImageError as error:
                console.print(f"[yellow]skipped {file}: {error}[/yellow]")
                skipped += 1
                continue
            answer = predictor.predict(batch)[0]
            writer.writerow([str(file), answer["digit"], f"{answer['confidence']:.4f}"])
            written += 1
    console.print(
        f"Wrote {written} predictions to {output_csv}" + (f"; skipped {skipped}" if skipped else "")
    )
    if not written:
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or the project's)")] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Serve the exported model over HTTP (drawing demo at /, API docs at /docs)."""
    import uvicorn

    from .serving.app import create_app

    settings = build_settings(host=host, port=port, model_dir=model_dir)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The access log costs more than a fast prediction; errors are still logged.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
