"""Deep-learning advanced: images per second, training and inference, on this machine.

Renders the default deep-learning advanced project, installs it (CPU torch, as
the suite does) and runs its own `benchmark` command, which times, on one
batch and after a warm-up: training steps (torch eager), and inference with
torch eager, onnxruntime float32 and the two int8 models (dynamic, static).
Each ratio is against torch eager measured in the same run. The project's own
report is copied to docs/throughput.md with the command that made it.

    python benchmarks/throughput.py           # after `bash scripts/test.sh` made .venv
    python benchmarks/throughput.py --backbone resnet18 --image-size 96 --batch-size 32
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import copier

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from projects import install  # the suite's way to install a project with CPU torch

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "throughput.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backbone", default="resnet18")
    parser.add_argument("--image-size", type=int, default=96)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "project"
        copier.run_copy(
            str(ROOT),
            str(project),
            data={"track": "deep-learning", "level": "advanced"},
            defaults=True,
            unsafe=False,
            skip_tasks=True,
            quiet=True,
        )
        installed = install(project, "shape-classifier")
        report = project / "reports" / "throughput.md"
        command = [
            str(installed.venv / "bin" / "shape-classifier"),
            "benchmark",
            "--batch-size",
            str(arguments.batch_size),
            "--seconds",
            str(arguments.seconds),
            "--device",
            "cpu",
            "--output",
            str(report),
            "--set",
            f"backbone={arguments.backbone}",
            "--set",
            f"image_size={arguments.image_size}",
        ]
        subprocess.run(command, cwd=project, check=True)
        made_by = " ".join(["python benchmarks/throughput.py", *sys.argv[1:]])
        DOCS.write_text(
            report.read_text().replace(
                "# Throughput\n",
                "# Throughput (deep-learning advanced)\n\n"
                f"Made by `{made_by}`: the default project's own `benchmark` command, "
                "random weights, CPU only (no GPU on this machine; on a GPU machine run "
                "`shape-classifier benchmark` in the project).\n",
                1,
            )
        )
    print(DOCS.read_text())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
