"""Slow: the advanced level against a real tracking stack.

A PostgreSQL server (Debian's binaries, a throwaway cluster), a real
``mlflow server`` backed by it with an artifact folder, then: training against
it, serving the champion from its registry, and two ``tune`` workers sharing
one Optuna study in PostgreSQL at the same time. What compose.yaml runs in
containers, run here as processes (no image registry is reachable).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from conftest import Environments
from matrix import Case, level_defaults, reaches
from projects import Installed, free_port, serving

pytestmark = pytest.mark.slow

# The tracking-server stack (compose.yaml, Optuna on PostgreSQL) is classical-ml's.
ADVANCED = [
    case for case in level_defaults() if reaches(case, "advanced") and case.track == "classical-ml"
]
WORKER_TRIALS = 8
# The login every client of the tracking server gives (from .env in a project).
LOGIN = {
    "MLFLOW_TRACKING_USERNAME": "admin",
    "MLFLOW_TRACKING_PASSWORD": "a-long-test-password-4096",
}


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        if os.environ.get("MLFOLIO_REQUIRE_DOCKER") == "1":
            pytest.fail("PostgreSQL is missing (scripts/containers.sh installs it)")
        pytest.skip("PostgreSQL server binaries are not installed")
    return Path(found[-1]).parent


def as_postgres(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; CI runs as root.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """A fresh cluster on a free port; yields postgresql://mlflow@127.0.0.1:<port>."""
    binaries = postgres_bin()
    # Not under pytest's tmp folder: that is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="mlfolio-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", free_port()
    subprocess.run(
        as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "mlflow", "--auth=trust"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    start = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options]
    subprocess.run(as_postgres([*start, "-w", "start"]), check=True, capture_output=True)
    url = f"postgresql://mlflow@127.0.0.1:{port}"
    try:
        createdb = [str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "mlflow"]
        for database in ("mlflow", "optuna"):
            subprocess.run([*createdb, database], check=True, capture_output=True)
        yield url
    finally:
        subprocess.run(
            as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"])
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def mlflow_server(
    postgres: str, environment: Environments, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """`mlflow server` from the advanced project's own environment, backed by PostgreSQL."""
    (case,) = ADVANCED
    installed = environment(case.track, case.level)
    port = free_port()
    artifacts = tmp_path_factory.mktemp("mlartifacts")
    # The project's own auth.ini (what compose.yaml's server uses), its user
    # store moved from the image's volume to a scratch folder.
    users = tmp_path_factory.mktemp("mlflow-users")
    shipped = (installed.project / "mlflow-server" / "auth.ini").read_text()
    assert "sqlite:////var/lib/mlflow-auth/basic_auth.db" in shipped
    auth_ini = users / "auth.ini"
    auth_ini.write_text(shipped.replace("/var/lib/mlflow-auth", str(users)))
    server_env = {
        "MLFLOW_AUTH_CONFIG_PATH": str(auth_ini),
        "MLFLOW_AUTH_ADMIN_USERNAME": LOGIN["MLFLOW_TRACKING_USERNAME"],
        "MLFLOW_AUTH_ADMIN_PASSWORD": LOGIN["MLFLOW_TRACKING_PASSWORD"],
        "MLFLOW_FLASK_SERVER_SECRET_KEY": "a-test-secret-key",
    }
    process = subprocess.Popen(
        [
            installed.bin("mlflow"),
            "server",
            "--app-name=basic-auth",  # as compose.yaml runs it
            f"--backend-store-uri={postgres}/mlflow",
            f"--artifacts-destination={artifacts}",
            "--host=127.0.0.1",
            f"--port={port}",
            "--workers=1",
        ],
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", **server_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"mlflow server did not start:\n{process.stdout.read()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def sql(installed: Installed, url: str, query: str) -> list:
    """Ask PostgreSQL directly (with the project's psycopg), not through MLflow."""
    code = (
        "import json, sys, psycopg\n"
        "with psycopg.connect(sys.argv[1]) as db:\n"
        "    print(json.dumps(db.execute(sys.argv[2]).fetchall(), default=str))\n"
    )
    result = installed.run(installed.bin("python"), "-c", code, url, query)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("case", ADVANCED, ids=[case.id for case in ADVANCED])
def test_train_against_the_server_and_serve_its_champion(
    case: Case, environment: Environments, postgres: str, mlflow_server: str, tmp_path: Path
) -> None:
    installed = environment(case.track, case.level)
    env = {"APP_TRACKING_URI": mlflow_server, **LOGIN}
    result = installed.run(installed.bin(installed.slug), "train", env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The run, the registered version and the alias live in PostgreSQL.
    runs = sql(installed, f"{postgres}/mlflow", "SELECT run_uuid FROM runs")
    assert len(runs) >= 1
    aliases = sql(
        installed, f"{postgres}/mlflow", "SELECT alias, version FROM registered_model_aliases"
    )
    assert ["champion", 1] in aliases

    # An empty model folder: whatever is served comes from the server.
    empty = tmp_path / "no-models"
    empty.mkdir()
    uri = f"models:/{installed.slug}@champion"
    with serving(
        installed, env={**env, "APP_MODEL_DIR": str(empty)}, extra_args=("--model-uri", uri)
    ) as server:
        metadata = httpx.get(f"{server.url}/metadata").json()
        assert metadata["model_version"] == "1"
        assert [metadata["run_id"]] in runs
        row = {feature["name"]: feature["example"] for feature in metadata["features"]}
        response = httpx.post(f"{server.url}/predict", json={"rows": [row]})
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("case", ADVANCED, ids=[case.id for case in ADVANCED])
def test_the_tracking_server_refuses_clients_without_the_login(
    case: Case, environment: Environments, mlflow_server: str
) -> None:
    """Whoever reaches the server must not move the alias the service loads."""
    installed = environment(case.track, case.level)
    alias = {"name": installed.slug, "alias": "champion", "version": "1"}
    route = f"{mlflow_server}/api/2.0/mlflow/registered-models/alias"
    assert httpx.post(route, json=alias, timeout=10).status_code == 401
    wrong = (LOGIN["MLFLOW_TRACKING_USERNAME"], "not-the-password")
    assert httpx.post(route, json=alias, auth=wrong, timeout=10).status_code == 401
    assert httpx.get(f"{mlflow_server}/health", timeout=10).status_code == 200  # probes
    result = installed.run(
        installed.bin(installed.slug), "train", env={"APP_TRACKING_URI": mlflow_server}
    )
    assert result.returncode != 0  # no login: no run, no version, no alias
    assert (
        "401" in result.stdout + result.stderr
        or "credentials" in (result.stdout + result.stderr).lower()
    ), result.stderr[-2000:]


def overlapping(trials: list[dict]) -> list[tuple[int, int]]:
    """Pairs of trials from different workers whose run times overlap."""
    spans = [
        (
            t["number"],
            t["worker"],
            datetime.fromisoformat(t["start"]),
            datetime.fromisoformat(t["end"]),
        )
        for t in trials
    ]
    return [
        (a[0], b[0])
        for i, a in enumerate(spans)
        for b in spans[i + 1 :]
        if a[1] != b[1] and a[2] < b[3] and b[2] < a[3]
    ]


@pytest.mark.parametrize("case", ADVANCED, ids=[case.id for case in ADVANCED])
def test_two_tune_workers_share_one_study_concurrently(
    case: Case, environment: Environments, postgres: str, mlflow_server: str
) -> None:
    installed = environment(case.track, case.level)
    storage = f"{postgres}/optuna"
    command = [
        installed.bin(installed.slug),
        "tune",
        "--storage",
        storage,
        "--study-name",
        "shared",
        "--trials",
        str(WORKER_TRIALS),
    ]
    # Create the study once, as an operator would: workers then join it. (Two
    # workers creating Optuna's tables in an empty database at the same instant
    # can collide.)
    create = (
        "import sys, optuna\n"
        "optuna.create_study(study_name='shared', storage=sys.argv[1], direction='maximize')\n"
    )
    created = installed.run(installed.bin("python"), "-c", create, storage)
    assert created.returncode == 0, created.stderr
    env = {
        **os.environ,
        "APP_TRACKING_URI": mlflow_server,
        "MLFLOW_DISABLE_TELEMETRY": "true",
        **LOGIN,
    }
    workers = [
        subprocess.Popen(
            command,
            cwd=installed.project,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=600)[0] for worker in workers]
    for worker, output in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, output[-3000:]

    code = (
        "import json, sys, optuna\n"
        "study = optuna.load_study(study_name='shared', storage=sys.argv[1])\n"
        "print(json.dumps([\n"
        "    {'number': t.number, 'worker': t.user_attrs['worker'],\n"
        "     'start': t.datetime_start.isoformat(), 'end': t.datetime_complete.isoformat()}\n"
        "    for t in study.get_trials(states=[optuna.trial.TrialState.COMPLETE])]))\n"
    )
    result = installed.run(installed.bin("python"), "-c", code, storage)
    assert result.returncode == 0, result.stderr
    trials = json.loads(result.stdout)
    assert len({trial["worker"] for trial in trials}) == 2, trials
    # The budget is the study's: about WORKER_TRIALS in all, not twice that.
    # (Each worker checks it after a trial ends, so the other's last trial may overrun.)
    assert WORKER_TRIALS <= len(trials) <= WORKER_TRIALS + 1, len(trials)
    assert overlapping(trials), f"no two trials of different workers ran at once: {trials}"
