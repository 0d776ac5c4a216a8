"""The scikit-learn pipeline: preprocessing by column type, then an estimator."""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .config import Settings
from .data import Task


def build_preprocessor(features: pd.DataFrame) -> ColumnTransformer:
    # Explicit column lists (not a dtype selector) keep the saved model made only
    # of types that skops trusts, and make the schema visible in the model itself.
    numeric_columns = [
        name
        for name, column in features.items()
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    ]
    categorical_columns = [name for name in features.columns if name not in numeric_columns]
    numeric = make_pipeline(SimpleImputer(strategy="median"), StandardScaler())
    categorical = make_pipeline(
        SimpleImputer(strategy="most_frequent"),
        # Categories unseen in training become all-zero rows instead of errors.
        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
    )
    return ColumnTransformer(
        [
            ("numeric", numeric, numeric_columns),
            ("categorical", categorical, categorical_columns),
        ]
    )


def build_estimator(task: Task, settings: Settings):
    if task == "classification":
        if settings.estimator == "random_forest":
            return RandomForestClassifier(n_estimators=200, random_state=settings.seed, n_jobs=1)
        return LogisticRegression(max_iter=2000)
    if settings.estimator == "random_forest":
        return RandomForestRegressor(n_estimators=200, random_state=settings.seed, n_jobs=1)
    return Ridge(alpha=1.0)


def build_pipeline(features: pd.DataFrame, task: Task, settings: Settings) -> Pipeline:
    return Pipeline(
        [
            ("preprocess", build_preprocessor(features)),
            ("model", build_estimator(task, settings)),
        ]
    )


def feature_schema(features: pd.DataFrame) -> list[dict]:
    """What the service needs to validate a request: name, type and allowed values."""
    schema = []
    for name, column in features.items():
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            schema.append(
                {
                    "name": name,
                    "type": "number",
                    "example": float(column.median()),
                    "minimum": float(column.min()),
                    "maximum": float(column.max()),
                }
            )
        else:
            values = sorted(column.dropna().astype(str).unique().tolist())
            schema.append(
                {"name": name, "type": "category", "example": values[0], "categories": values}
            )
    return schema
