"""Slow: classical-ml on real CSV files that nobody here made (tests/real_files.py).

At every level, after the Quickstart's `train` (the bundled data set, so the
registry already holds a champion), the README's "Your own data" command trains
on each file; then every row is scored by the running service with its missing
values sent as null, rows with missing values are explained, the batch
`predict` command scores the file as it is, and (advanced) `drift` tells a
sorted split from a random one.

Files are cut to ROWS random rows (in their own order) to keep CI in budget;
benchmarks/real_data.py trains on the whole files (docs/real_data.md).
"""

from __future__ import annotations

import json
import math
import shutil

import httpx
import pandas as pd
import pytest

from conftest import Environments
from matrix import Case, level_defaults
from projects import Installed, serving
from real_files import FILES, RealFile, normalise

pytestmark = pytest.mark.slow

ROWS = 1500
BATCH = 1000  # the services' APP_MAX_BATCH_ROWS
CLASSICAL = [case for case in level_defaults() if case.track == "classical-ml"]

_own_data_projects: dict[str, Installed] = {}


def own_data_project(trained: Environments, case: Case, tmp_path_factory) -> Installed:
    """A copy of the level's project after the Quickstart's `train`, sharing its
    environment: training on other files here leaves the original's model alone."""
    if case.level not in _own_data_projects:
        original = trained(case.track, case.level)
        copy = tmp_path_factory.mktemp(f"own-data-{case.level}") / original.project.name
        shutil.copytree(original.project, copy, ignore=shutil.ignore_patterns(".venv"))
        _own_data_projects[case.level] = Installed(copy, original.venv, original.slug)
    return _own_data_projects[case.level]


def has_module(project: Installed, name: str) -> bool:
    return any((project.project / "src").glob(f"*/{name}.py"))


def json_rows(frame: pd.DataFrame) -> list[dict]:
    """Rows as a client sends them: a missing value is null."""
    return [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def run_ok(project: Installed, *args: str) -> str:
    result = project.run(project.bin(project.slug), *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.mark.parametrize("real", FILES, ids=lambda real: real.name)
@pytest.mark.parametrize("case", CLASSICAL, ids=lambda case: case.id)
def test_the_readme_own_data_commands_on_a_real_file(
    case: Case, real: RealFile, trained: Environments, tmp_path_factory
) -> None:
    project = own_data_project(trained, case, tmp_path_factory)
    frame = real.frame(ROWS)
    csv_path = real.write(frame, project.project / "data" / f"{real.name}.csv")

    # The README's command, as written; exit status 0 means exported.
    output = run_ok(
        project, "train", "--dataset", "csv", "--csv-path", f"data/{csv_path.name}",
        "--target", real.target,
    )  # fmt: skip
    assert "Model exported to" in output and "model file" in output, output
    metadata = json.loads((project.project / "models" / "metadata.json").read_text())
    assert metadata["dataset"] == real.name and metadata["target"] == normalise(real.target)
    assert set(metadata["dropped_columns"]) == real.dropped
    features = [feature["name"] for feature in metadata["features"]]
    columns = frame.rename(columns=normalise)
    labelled = columns[columns[normalise(real.target)].notna()]
    rows = json_rows(labelled[features])
    incomplete = [row for row in rows if any(value is None for value in row.values())]
    if real.name.startswith("penguins") or real.name in ("titanic", "cars"):
        assert incomplete, "this file is here for its missing values"

    with serving(project) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        predictions = []
        for start in range(0, len(rows), BATCH):  # one bad row would fail its batch
            response = client.post("/predict", json={"rows": rows[start : start + BATCH]})
            assert response.status_code == 200, response.text[:2000]
            predictions += response.json()["predictions"]
        assert len(predictions) == len(rows)
        for row in incomplete[:20]:  # alone too, as the demo page sends them
            response = client.post("/predict", json={"rows": [row]})
            assert response.status_code == 200, response.text[:2000]
        values = [p["prediction"] for p in predictions]
        if metadata["task"] == "regression":
            assert min(values) > 0, "a price, a consumption: never negative"
        else:
            assert set(values) <= set(metadata["classes"])
        if has_module(project, "explain"):
            explained = incomplete[:10] or rows[:10]
            response = client.post("/explain", json={"rows": explained})
            assert response.status_code == 200, response.text[:2000]
            for explanation in response.json()["explanations"]:
                assert set(explanation["contributions"]) == set(features)

    # Batch predictions read the file in its own dialect, as `train` did.
    run_ok(project, "predict", f"data/{csv_path.name}", "predictions.csv")
    assert len(pd.read_csv(project.project / "predictions.csv")) == len(frame)

    if has_module(project, "drift"):
        ordered = frame.sort_values(real.sort_by, kind="stable").reset_index(drop=True)
        shuffled = frame.sample(frac=1.0, random_state=1).reset_index(drop=True)
        for halves, status in ((ordered, 3), (shuffled, 0)):
            half = len(halves) // 2
            first = real.write(halves.iloc[:half], project.project / "data" / "first.csv")
            second = real.write(halves.iloc[half:], project.project / "data" / "second.csv")
            result = project.run(
                project.bin(project.slug), "drift", str(second), "--reference-csv", str(first),
                "--fail-on-drift",
            )  # fmt: skip
            assert result.returncode == status, result.stdout[-3000:] + result.stderr[-3000:]
