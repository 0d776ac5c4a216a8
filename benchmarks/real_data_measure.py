"""Runs inside a rendered classical-ml project's environment (see real_data.py).

Loads and splits a CSV exactly as the project's `train` does (its own
`load_dataset`, `split_dataset` and `compute_metrics`), then fits the two
baselines on that split: a majority class / mean predictor, and a default
HistGradientBoosting with its native handling of categories and missing values.
Prints one JSON line.

    python real_data_measure.py <project folder> <csv> <target>
"""

from __future__ import annotations

import json
import pickle
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder


def main() -> None:
    project, csv_path, target = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    sys.path.insert(0, str(project / "src"))
    package = next((project / "src").glob("*/data.py")).parent.name
    config = __import__(f"{package}.config", fromlist=["Settings"])
    data = __import__(f"{package}.data", fromlist=["load_dataset"])
    evaluate = __import__(f"{package}.evaluate", fromlist=["compute_metrics"])

    settings = config.Settings(dataset="csv", csv_path=csv_path, target=target)
    dataset = data.load_dataset(settings)
    split = data.split_dataset(dataset, settings)
    classify = dataset.task == "classification"
    primary = evaluate.PRIMARY_METRIC[dataset.task]

    text = [
        name
        for name, column in split.x_train.items()
        if not np.issubdtype(column.dtype, np.number) or column.dtype == bool
    ]
    encode = ColumnTransformer(
        [
            (
                "text",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
                text,
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    boosting = (HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor)(
        categorical_features=[True] * len(text) + [False] * (split.x_train.shape[1] - len(text)),
        random_state=settings.seed,
    )
    baselines = {
        "baseline": make_pipeline(
            DummyClassifier(strategy="most_frequent") if classify else DummyRegressor()
        ),
        "hist_gradient_boosting": make_pipeline(encode, boosting),
    }
    results = {"task": dataset.task, "primary": primary, "rows": len(dataset.features)}
    for name, model in baselines.items():
        started = time.perf_counter()
        model.fit(split.x_train, split.y_train)
        seconds = time.perf_counter() - started
        metrics = evaluate.compute_metrics(model, split.x_test, split.y_test, dataset.task)
        results[name] = {
            "metric": metrics[primary],
            "fit_seconds": seconds,
            "model_bytes": len(pickle.dumps(model)),
        }
    print(json.dumps(results))


if __name__ == "__main__":
    main()
