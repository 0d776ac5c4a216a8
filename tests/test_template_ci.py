"""The template repository's own workflows: valid, pinned, audited, and running
the commands this repository documents."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from matrix import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
BIN = Path(sys.executable).parent


def test_workflows_match_github_schema_and_pass_zizmor() -> None:
    files = sorted(map(str, WORKFLOWS.glob("*.yml")))
    assert len(files) == 2
    schema = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        "vendor.github-workflows",
    ]
    checked = subprocess.run([*schema, *files], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    audited = subprocess.run(
        [str(BIN / "zizmor"), "--offline", str(ROOT / ".github")], capture_output=True, text=True
    )
    assert audited.returncode == 0, audited.stdout + audited.stderr


def test_ci_runs_the_suite_and_the_scheduled_job_the_newest_dependencies() -> None:
    ci = yaml.safe_load((WORKFLOWS / "ci.yml").read_text())
    steps = [step.get("run", "") for job in ci["jobs"].values() for step in job["steps"]]
    assert 'bash scripts/test.sh -m "not slow and not docker"' in steps
    assert any(".ci/run" in run for run in steps)
    newest = yaml.safe_load((WORKFLOWS / "newest-dependencies.yml").read_text())
    assert "schedule" in newest[True]  # YAML 1.1 reads the key `on` as True
    script = "".join(step.get("run", "") for step in newest["jobs"]["newest"]["steps"])
    assert "scripts/newest_dependencies.py" in script
