"""Load a tabular data set and split it reproducibly.

Column names are normalised to snake_case identifiers on the way in, so the
same names work as DataFrame columns, JSON fields and Python attributes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from pandas.api.types import is_bool_dtype, is_float_dtype, is_numeric_dtype
from sklearn import datasets
from sklearn.model_selection import train_test_split

from .config import Settings

Task = Literal["classification", "regression"]

# Integer targets with at most this many distinct values are treated as classes.
MAX_CLASSES_FOR_INT_TARGET = 20


@dataclass(frozen=True)
class Dataset:
    features: pd.DataFrame
    target: pd.Series
    task: Task
    name: str


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


def _load_csv(settings: Settings) -> Dataset:
    assert settings.csv_path is not None and settings.target is not None  # checked by Settings
    if not settings.csv_path.is_file():
        raise FileNotFoundError(f"CSV file not found: {settings.csv_path}")
    frame = normalise_columns(pd.read_csv(settings.csv_path))
    target_name = normalise_column(settings.target)
    if target_name not in frame.columns:
        raise ValueError(
            f"target column {settings.target!r} is not in {settings.csv_path}; "
            f"columns are: {', '.join(frame.columns)}"
        )
    frame = frame.dropna(subset=[target_name])
    if len(frame) < 10:
        raise ValueError(f"{settings.csv_path} has {len(frame)} labelled rows; need at least 10")
    target = frame.pop(target_name)
    for name, column in frame.items():
        if is_bool_dtype(column) or not is_numeric_dtype(column):
            # One representation for categories everywhere: Python str, NaN if missing.
            frame[name] = column.map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    task = infer_task(target) if settings.task == "auto" else settings.task
    if task == "classification":
        target = target.astype(str)
    return Dataset(frame, target, task, settings.csv_path.stem)


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
