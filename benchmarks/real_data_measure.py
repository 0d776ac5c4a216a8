"""Runs inside a rendered classical-ml project's environment (see real_data.py).

Loads and splits a CSV exactly as the project's `train` does (its own
`load_dataset`, `split_dataset` and `compute_metrics`), then fits the two
baselines on that split: a majority class / mean predictor, and a default
HistGradientBoosting with its native handling of categories and missing values.
A paired bootstrap of the test rows gives a 95 % interval for the difference
between the project's exported model and that HistGradientBoosting: a test set
of 80 rows cannot tell 0.02 apart. Prints one JSON line.

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
from sklearn.metrics import f1_score, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OrdinalEncoder

BOOTSTRAP_SAMPLES = 2000


def difference_interval(y, ours, theirs, classify: bool, seed: int) -> list[float]:
    """95 % paired-bootstrap interval of metric(ours) - metric(theirs) on the test rows."""
    y, ours, theirs = np.asarray(y), np.asarray(ours), np.asarray(theirs)
    rng = np.random.default_rng(seed)

    def score(truth, predicted) -> float:
        if classify:
            return f1_score(truth, predicted, average="macro")
        return r2_score(truth, predicted)

    differences = []
    for _ in range(BOOTSTRAP_SAMPLES):
        rows = rng.integers(0, len(y), len(y))
        differences.append(score(y[rows], ours[rows]) - score(y[rows], theirs[rows]))
    return [float(np.percentile(differences, 2.5)), float(np.percentile(differences, 97.5))]


def main() -> None:
    project, csv_path, target = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    sys.path.insert(0, str(project / "src"))
    package = next((project / "src").glob("*/data.py")).parent.name
    config = __import__(f"{package}.config", fromlist=["Settings"])
    data = __import__(f"{package}.data", fromlist=["load_dataset"])
    evaluate = __import__(f"{package}.evaluate", fromlist=["compute_metrics"])
    export = __import__(f"{package}.export", fromlist=["load_model"])

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
    results = {
        "task": dataset.task,
        "primary": primary,
        "rows": len(dataset.features),
        "test_rows": len(split.x_test),
    }
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
    exported = export.load_model(project / "models").pipeline
    results["difference_interval"] = difference_interval(
        split.y_test,
        exported.predict(split.x_test),
        baselines["hist_gradient_boosting"].predict(split.x_test),
        classify,
        settings.seed,
    )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
