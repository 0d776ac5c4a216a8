"""Command line: sample-docs, index, evaluate, search and serve.

Options map one-to-one onto ``Settings`` fields, and ``--set name=value``
reaches every other field; anything not given on the command line comes from
APP_* environment variables, a .env file or defaults.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from .cli_helpers import build_settings, console, show_metrics
from .config import Settings

app = typer.Typer(help=__doc__, no_args_is_help=True, pretty_exceptions_enable=False)

ModelDirOption = Annotated[
    Path | None, typer.Option(help="Folder of the exported index and encoder")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Any setting as name=value (repeatable), e.g. --set chunk_words=80"),
]

# Where `index` writes the sample when it finds no documents (the default docs_dir).
SAMPLE_DIR = Path(Settings.model_fields["docs_dir"].default)


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


@app.command("sample-docs")
def sample_docs(
    out: Annotated[Path, typer.Option(help="Folder to write the documents to")] = SAMPLE_DIR,
    queries: Annotated[Path, typer.Option(help="Where the labelled queries go")] = Path(
        Settings.model_fields["queries_file"].default
    ),
) -> None:
    """Write the sample collection (Markdown notes on shipping ML) and its labelled queries."""
    from .corpus import write_sample

    written = write_sample(out, queries)
    console.print(f"Wrote {written} documents to {out}/ and labelled queries to {queries}")


@app.command()
def index(
    docs_dir: Annotated[
        Path | None, typer.Option(help="Folder of .md, .txt and .pdf files")
    ] = None,
    embedding_model: Annotated[
        str | None, typer.Option(help="sentence-transformers model (Hub id or folder)")
    ] = None,
    device: Annotated[str | None, typer.Option(help="auto, cpu, cuda or mps")] = None,
    model_dir: ModelDirOption = None,
    assignments: SetOption = None,
) -> None:
    """Chunk and embed the documents, evaluate the search, log to MLflow, export the index."""
    settings = build_settings(
        assignments,
        docs_dir=docs_dir,
        embedding_model=embedding_model,
        device=device,
        model_dir=model_dir,
    )
    if settings.docs_dir == SAMPLE_DIR and not SAMPLE_DIR.exists():
        console.print(f"{SAMPLE_DIR}/ does not exist yet: writing the sample collection there")
        sample_docs(SAMPLE_DIR, settings.queries_file)
    indexing = require_train_extra("indexing")
    try:
        result = indexing.build_index(settings)
    except (ValueError, OSError) as error:
        # no documents, an unreadable queries file, a model that cannot be loaded,
        # a failed ONNX parity check
        console.print(f"[red]Indexing failed:[/red] {error}")
        raise typer.Exit(1) from error
    show_metrics(f"{result.documents} documents, {result.chunks} chunks", result.metrics)
    console.print(f"MLflow run [bold]{result.run_id}[/bold]; index exported to {result.model_dir}/")


def load_or_exit(settings: Settings) -> Any:
    from .serving.predictor import ModelLoadError, load_predictor

    try:
        return load_predictor(settings)
    except ModelLoadError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error


@app.command()
def evaluate(
    k: Annotated[int | None, typer.Option(min=1, help="Results looked at (recall@k)")] = None,
    queries_file: Annotated[Path | None, typer.Option(help="Labelled queries (JSONL)")] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Score the exported index on the labelled queries: recall@1, recall@k, MRR."""
    from .corpus import read_queries
    from .evaluation import evaluate as score

    settings = build_settings(eval_k=k, queries_file=queries_file, model_dir=model_dir)
    searcher = load_or_exit(settings)
    try:
        queries = read_queries(settings.queries_file)
    except ValueError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    evaluation = score(searcher.sources, queries, settings.eval_k)
    missed = [row for row in evaluation.rows if row["rank"] is None]
    for row in missed:
        console.print(f"[yellow]not in the top {settings.eval_k}:[/yellow] {row['query']!r}")
    show_metrics(f"{len(queries)} labelled queries", evaluation.metrics())


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for")],
    k: Annotated[int, typer.Option(min=1, help="How many results")] = 5,
    model_dir: ModelDirOption = None,
) -> None:
    """Search the exported index from the command line."""
    settings = build_settings(model_dir=model_dir)
    searcher = load_or_exit(settings)
    table = Table(title=query)
    for column in ("rank", "score", "source", "text"):
        table.add_column(column, overflow="fold")
    for hit in searcher.search([query], min(k, settings.max_k))[0]:
        text = hit["text"] if len(hit["text"]) <= 160 else hit["text"][:157] + "..."
        table.add_row(str(hit["rank"]), f"{hit['score']:.3f}", hit["source"], text)
    console.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: $PORT or the project's)")] = None,
    model_dir: ModelDirOption = None,
) -> None:
    """Serve the search over HTTP (demo at /, API docs at /docs)."""
    import uvicorn

    from .serving.app import create_app

    settings = build_settings(host=host, port=port, model_dir=model_dir)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The access log costs more than a fast search; errors are still logged.
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, access_log=False)
