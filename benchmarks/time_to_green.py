"""Time-to-green: from `copier copy` to a trained model and passing tests.

For every built (track, level) default project, measured one after another on
this machine: render (Copier), install (uv, into a fresh venv, with whatever
package cache the machine already has: run it twice for a warm cache), train
(`<slug> train`, wall clock; for tracks that record it, the part spent fitting),
and the project's own test suite (`pytest`, wall clock). Also the CLI's own
start-up (`<slug> --help`), the floor under every command.

Writes docs/time_to_green.md and exits 1 if a target of issue 8 is missed:
classical-ml beginner from copy to trained and green in at most 60 s, and every
project's own tests in at most 60 s.

    python benchmarks/time_to_green.py        # after `bash scripts/test.sh` made .venv
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import copier

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from matrix import level_defaults  # the suite's list of built (track, level)
from projects import torch_options  # the suite's way to get CPU torch
from tracks import build_command, train_args  # what this offline machine can run

ROOT = Path(__file__).resolve().parents[1]
UV = str(Path(sys.executable).parent / "uv")
DOCS = ROOT / "docs" / "time_to_green.md"
COPY_TO_GREEN_TARGET_S = 60.0  # classical-ml beginner: copy -> trained -> tests pass
OWN_TESTS_TARGET_S = 60.0  # every project's own test suite


@dataclass
class Timing:
    case: str
    render_s: float
    install_s: float
    train_s: float
    fit_s: float | None
    tests_s: float
    tests_passed: int
    cli_startup_s: float

    @property
    def copy_to_green_s(self) -> float:
        return self.render_s + self.install_s + self.train_s + self.tests_s


def timed(*args: str, cwd: Path, env: dict | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        list(args), cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr}")
    return elapsed, result.stdout


def measure(track: str, level: str, work: Path) -> Timing:
    project = work / f"{track}-{level}"
    started = time.perf_counter()
    copier.run_copy(
        str(ROOT),
        project,
        data={"track": track, "level": level},
        vcs_ref="HEAD",
        defaults=True,
        skip_tasks=True,
        quiet=True,
    )
    render_s = time.perf_counter() - started
    venv = project / ".venv"
    python = str(venv / "bin" / "python")
    pyproject = (project / "pyproject.toml").read_text()
    extra = torch_options(work, '"torchvision' in pyproject) if '"torch' in pyproject else []
    install_s, _ = timed(UV, "venv", "--quiet", "--python", sys.executable, str(venv), cwd=project)
    seconds, _ = timed(
        UV, "pip", "install", "--quiet", "--python", python, *extra, "-e", ".[dev]", cwd=project
    )
    install_s += seconds
    slug = project_slug(project)
    env = {"MLFLOW_DISABLE_TELEMETRY": "true"}
    cli_startup_s, _ = timed(str(venv / "bin" / slug), "--help", cwd=project, env=env)
    train = [str(venv / "bin" / slug), *build_command(track, level)]
    train_s, _ = timed(*train, cwd=project, env=env)
    metadata = json.loads((project / "models" / "metadata.json").read_text())
    fit_s = metadata.get("metrics", {}).get("train_seconds")
    tests_s, output = timed(
        str(venv / "bin" / "pytest"), "-q", "-p", "no:cacheprovider", cwd=project, env=env
    )
    passed = int(re.search(r"(\d+) passed", output).group(1))
    return Timing(
        f"{track}-{level}", render_s, install_s, train_s, fit_s, tests_s, passed, cli_startup_s
    )


def project_slug(project: Path) -> str:
    for line in (project / ".copier-answers.yml").read_text().splitlines():
        if line.startswith("project_slug:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"no project_slug in {project}/.copier-answers.yml")


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="mlfolio-green-"))
    timings = []
    for case in level_defaults():
        print(f"{case.id} ...", flush=True)
        timings.append(measure(case.track, case.level, work))
    first = timings[0]
    checks = {
        f"{first.case}: copy to trained and green (s)": (
            first.copy_to_green_s,
            COPY_TO_GREEN_TARGET_S,
        ),
        **{f"{t.case}: own tests (s)": (t.tests_s, OWN_TESTS_TARGET_S) for t in timings},
    }
    write_report(timings, checks)
    print(DOCS.read_text())
    return 0 if all(value <= bound for value, bound in checks.values()) else 1


def write_report(timings: list[Timing], checks: dict[str, tuple[float, float]]) -> None:
    lines = [
        "# Time to green",
        "",
        "Written by `python benchmarks/time_to_green.py`: each built level's default",
        "project rendered, installed with uv into a fresh venv (the package cache as",
        "the machine had it; deep-learning with the torch wheels on this machine's",
        "disk), trained with `<slug> train` and tested with its own `pytest`, one",
        f"after another. {platform.machine()}, {os.cpu_count()} cores, Python",
        f"{platform.python_version()}. Seconds, wall clock. This machine cannot",
        "download torchvision's weights, so deep-learning from intermediate up trains",
        f"with `{' '.join(train_args('deep-learning', 'intermediate'))}`.",
        "",
        "| project | render | install | train (of which fitting) | own tests (passed) "
        "| copy to green | CLI start-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in timings:
        fit = f" ({t.fit_s:.1f})" if t.fit_s is not None else ""
        lines.append(
            f"| {t.case} | {t.render_s:.1f} | {t.install_s:.1f} | {t.train_s:.1f}{fit} | "
            f"{t.tests_s:.1f} ({t.tests_passed}) | {t.copy_to_green_s:.1f} | "
            f"{t.cli_startup_s:.2f} |"
        )
    lines += ["", "| target (issue 8) | measured | required | met |", "|---|---|---|---|"]
    for name, (value, bound) in checks.items():
        lines.append(
            f"| {name} | {value:.1f} | ≤ {bound:.0f} | {'yes' if value <= bound else 'NO'} |"
        )
    DOCS.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
