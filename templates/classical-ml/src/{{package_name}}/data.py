"""Load a tabular data set and split it reproducibly.

Column names are normalised to snake_case identifiers on the way in, so the
same names work as DataFrame columns, JSON fields and Python attributes.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd
from pandas.api.types import is_bool_dtype, is_float_dtype, is_integer_dtype, is_numeric_dtype
from sklearn import datasets
from sklearn.model_selection import train_test_split

from .config import Settings

log = logging.getLogger(__name__)

Task = Literal["classification", "regression"]

# Integer targets with at most this many distinct values are treated as classes.
MAX_CLASSES_FOR_INT_TARGET = 20
# A numeric target with more distinct values than this is not a set of classes.
MAX_CLASSES = 200
# A text column with a distinct value in every row (of at least this many) is an ID.
MIN_ROWS_FOR_ID = 20
# "1,5" between two other delimiters (or a line's ends): a decimal comma.
DECIMAL_COMMA = re.compile(r"(?:^|[;\t|])\s*-?\d+,\d+\s*(?=[;\t|]|$)", re.MULTILINE)


@dataclass(frozen=True)
class Dataset:
    features: pd.DataFrame
    target: pd.Series
    task: Task
    name: str
    # Columns left out of the features, and why (empty, ID-like).
    dropped: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Split:
    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def normalise_column(name: object) -> str:
    """'Mean Radius (mm)' -> 'mean_radius_mm'; a leading digit gets an 'f_' prefix."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", str(name)).strip("_").lower() or "column"
    return f"f_{slug}" if slug[0].isdigit() else slug


def normalise_columns(frame: pd.DataFrame) -> pd.DataFrame:
    names = [normalise_column(c) for c in frame.columns]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"columns collide after normalising names: {duplicates}")
    return frame.set_axis(names, axis="columns")


def infer_task(target: pd.Series) -> Task:
    if is_bool_dtype(target) or not is_numeric_dtype(target):
        return "classification"
    if is_float_dtype(target):
        return "regression"
    return "classification" if target.nunique() <= MAX_CLASSES_FOR_INT_TARGET else "regression"


def load_dataset(settings: Settings) -> Dataset:
    if settings.dataset == "csv":
        return _load_csv(settings)
    if settings.dataset == "breast_cancer":
        bunch = datasets.load_breast_cancer(as_frame=True)
        # Readable labels beat 0/1 in the API and the figures.
        target = bunch.target.map(dict(enumerate(bunch.target_names))).rename("diagnosis")
        task: Task = "classification"
    else:
        bunch = datasets.load_diabetes(as_frame=True, scaled=False)
        target = bunch.target.rename("disease_progression")
        task = "regression"
    features = normalise_columns(bunch.data)
    if settings.task != "auto" and settings.task != task:
        raise ValueError(f"the {settings.dataset} data set is a {task} task, not {settings.task}")
    return Dataset(features, target, task, settings.dataset)


def csv_dialect(path: Path, delimiter: str | None, decimal: str | None) -> dict[str, str]:
    """pandas' ``sep`` and ``decimal`` for a CSV in its own dialect: sniffed from the
    first 64 KB unless given, and the log says which were used. Training, batch
    predictions and drift all read files this way."""
    with path.open(newline="", encoding="utf-8", errors="replace") as file:
        sample = file.read(64_000)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:  # one column, or nothing to tell from
            delimiter = ","
    if decimal is None:
        decimal = "," if delimiter != "," and DECIMAL_COMMA.search(sample) else "."
    log.info("reading %s with delimiter %r and decimal mark %r", path, delimiter, decimal)
    return {"sep": delimiter, "decimal": decimal}


def read_csv(path: Path, delimiter: str | None = None, decimal: str | None = None) -> pd.DataFrame:
    return pd.read_csv(path, **csv_dialect(path, delimiter, decimal))


def is_row_number(column: pd.Series) -> bool:
    """Whole numbers that go up by about one a row: an exported index, not a measurement.

    Such a column is worse than useless when the file was sorted (R's `rownames`
    in a file ordered by price predict the price). A few gaps are allowed, for
    rows dropped before the export or for a missing target.
    """
    if not is_integer_dtype(column) or len(column) < MIN_ROWS_FOR_ID:
        return False
    steps = column.diff().iloc[1:]
    return bool((steps > 0).all() and column.iloc[-1] - column.iloc[0] < 1.1 * len(column))


def unusable_columns(frame: pd.DataFrame) -> dict[str, str]:
    """Columns a model cannot learn from: all empty, a distinct text in every row,
    or a row number."""
    found: dict[str, str] = {}
    for name, column in frame.items():
        if column.isna().all():
            found[str(name)] = "empty"
        elif (
            not is_numeric_dtype(column)
            and len(column) >= MIN_ROWS_FOR_ID
            and column.nunique(dropna=False) == len(column)
        ):
            found[str(name)] = "ID-like: a distinct value in every row"
        elif is_row_number(column):
            found[str(name)] = "ID-like: a row number, one more in every row"
    return found


def check_target(target: pd.Series, task: Task) -> None:
    """One line with the cause and the fix, before scikit-learn says it less clearly."""
    name, counts = target.name, target.value_counts()
    if task == "regression" and (is_bool_dtype(target) or not is_numeric_dtype(target)):
        raise ValueError(
            f"target {name!r} is not numeric (e.g. {target.iloc[0]!r}): regression "
            "needs numbers; use --task classification (or auto)"
        )
    if task == "classification":
        if len(counts) < 2:
            raise ValueError(
                f"target {name!r} has one value ({counts.index[0]!r}) in {len(target)} "
                "labelled rows: a classifier needs at least two classes"
            )
        if is_numeric_dtype(target) and not is_bool_dtype(target) and len(counts) > MAX_CLASSES:
            raise ValueError(
                f"target {name!r} has {len(counts):,} distinct numeric values: that is a "
                "regression; use --task regression (or auto)"
            )
        if counts.min() < 2:
            rare = ", ".join(repr(str(v)) for v in counts[counts < 2].index[:5])
            raise ValueError(
                f"target {name!r}: class(es) {rare} have a single row; every class needs at "
                "least two (one for training, one for testing): add rows or drop those"
            )


def _load_csv(settings: Settings) -> Dataset:
    assert settings.csv_path is not None and settings.target is not None  # checked by Settings
    if not settings.csv_path.is_file():
        raise FileNotFoundError(f"CSV file not found: {settings.csv_path}")
    raw = read_csv(settings.csv_path, settings.csv_delimiter, settings.csv_decimal)
    frame = normalise_columns(raw)
    target_name = normalise_column(settings.target)
    if target_name not in frame.columns:
        hint = "" if len(frame.columns) > 1 else " (one column: is the delimiter right?)"
        raise ValueError(
            f"target column {settings.target!r} is not in {settings.csv_path}; "
            f"columns are: {', '.join(frame.columns)}{hint}"
        )
    frame = frame.dropna(subset=[target_name])
    if len(frame) < 10:
        raise ValueError(f"{settings.csv_path} has {len(frame)} labelled rows; need at least 10")
    target = frame.pop(target_name)
    task = infer_task(target) if settings.task == "auto" else settings.task
    check_target(target, task)
    dropped = unusable_columns(frame) if settings.drop_unusable_columns else {}
    for name, reason in dropped.items():
        log.warning("dropping column %r (%s); drop_unusable_columns=false keeps it", name, reason)
    frame = frame.drop(columns=list(dropped))
    if frame.empty or not len(frame.columns):
        raise ValueError(f"{settings.csv_path} has no usable feature columns besides the target")
    for name, column in frame.items():
        if is_bool_dtype(column) or not is_numeric_dtype(column):
            # One representation for categories everywhere: Python str, NaN if missing.
            frame[name] = column.map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    if task == "classification":
        target = target.astype(str)
    return Dataset(frame, target, task, settings.csv_path.stem, dropped)


def split_dataset(dataset: Dataset, settings: Settings) -> Split:
    """Hold out a test set; stratify classes so small classes appear on both sides."""
    stratify = dataset.target if dataset.task == "classification" else None
    x_train, x_test, y_train, y_test = train_test_split(
        dataset.features,
        dataset.target,
        test_size=settings.test_size,
        random_state=settings.seed,
        stratify=stratify,
    )
    return Split(x_train, x_test, y_train, y_test)
