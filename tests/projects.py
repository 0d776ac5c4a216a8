"""Installing and running rendered projects: shared by the slow test modules."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

UV = str(Path(sys.executable).parent / "uv")
ROOT = Path(__file__).resolve().parents[1]


def render_head(dest: Path, data: dict[str, str]) -> Path:
    """The template as committed (HEAD), rendered with default answers: what the
    benchmarks measure, so their reports name a commit."""
    import copier  # only the benchmarks need it here

    copier.run_copy(
        str(ROOT),
        dest,
        data=data,
        vcs_ref="HEAD",
        defaults=True,
        unsafe=False,
        skip_tasks=True,
        quiet=True,
    )
    return dest


@dataclass(frozen=True)
class Installed:
    """A rendered project with its own virtual environment."""

    project: Path
    venv: Path
    slug: str

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(
        self, *args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 600
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args),
            cwd=cwd or self.project,
            env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def pytest_in(self, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        """Run another rendered project's tests in this environment, its own src/ first.

        Projects whose dependencies agree share one environment; that keeps the
        suite inside CI's budget while every project still runs its own tests.
        """
        return self.run(
            self.bin("pytest"),
            "-q",
            "-p",
            "no:cacheprovider",
            *args,
            cwd=project,
            env={"PYTHONPATH": str(project / "src")},
        )


# What a rendered project's own tests never read: its description (README,
# licence, answers file) and how it is built and shipped (Dockerfiles, Makefile,
# workflows, deploy configs). Every test that trains or indexes writes its
# results table to a README under tmp_path; test_render.py checks that no test
# file names the others. Cases that differ only here (licences, Python versions,
# accelerators) run the very same tests on the very same code.
NOT_READ_BY_TESTS = {".copier-answers.yml", "LICENSE", "Makefile", "README.md", "render.yaml"}
NOT_READ_BY_TESTS_FOLDERS = {".git", ".github"}


def digest_of_test_inputs(project: Path) -> str:
    """A digest of everything a project's own tests can read: src/, tests/, any
    data or config files, and the pytest settings (its only part of pyproject.toml
    that a shared environment's test run uses)."""
    digest = hashlib.sha256()
    for path in sorted(path for path in project.rglob("*") if path.is_file()):
        relative = path.relative_to(project)
        if relative.parts[0] in NOT_READ_BY_TESTS_FOLDERS or relative.name in NOT_READ_BY_TESTS:
            continue
        if relative.name.startswith("Dockerfile"):
            continue
        data = path.read_bytes()
        if relative == Path("pyproject.toml"):
            pytest_settings = tomllib.loads(data.decode())["tool"]["pytest"]
            data = json.dumps(pytest_settings, sort_keys=True).encode()
        digest.update(f"{relative}\0".encode() + data + b"\0")
    return digest.hexdigest()


# A CPU build of torch on this machine's disk (see DESIGN.md). Projects ask for
# torch from the PyPI-style PyTorch index in their [tool.uv.sources], which this
# machine cannot reach; their tests get the local CPU wheel instead.
TORCH_WHEELS = Path(os.environ.get("MLFOLIO_TORCH_WHEELS", "/opt/wheels"))
# torchvision's wheels on disk are CUDA builds: they import only next to their own
# torch (2.14.1 here, with its nvidia-* packages from a local simple index). Such
# a torch runs on the CPU too; it is just larger.
TORCHVISION_WHEELS = Path(os.environ.get("MLFOLIO_TORCHVISION_WHEELS", "/opt/pypi-more/files"))
TORCHVISION_INDEX = os.environ.get("MLFOLIO_TORCHVISION_INDEX", "file:///opt/pypi-more/simple")


def _newest(folder: Path, name: str) -> str | None:
    """Version of the newest `name` wheel for this Python in `folder`, e.g. 2.13.0+cpu."""
    tag = f"cp{sys.version_info.major}{sys.version_info.minor}"
    wheels = sorted(folder.glob(f"{name}-*-{tag}-*.whl"))
    return wheels[-1].name.split("-")[1] if wheels else None


def torch_options(tmp: Path, torchvision: bool = False) -> list[str]:
    """uv options that give torch (and torchvision) from disk, else the CPU index."""
    if torchvision:
        torch_version = _newest(TORCHVISION_WHEELS, "torch")
        vision_version = _newest(TORCHVISION_WHEELS, "torchvision")
        if not (torch_version and vision_version):
            return ["--no-sources", "--torch-backend", "cpu"]
        constraints = tmp / "torchvision-constraints.txt"
        constraints.write_text(f"torch=={torch_version}\ntorchvision=={vision_version}\n")
        return [
            "--no-sources",
            "--find-links",
            str(TORCHVISION_WHEELS),
            "--extra-index-url",
            TORCHVISION_INDEX,
            # The local index holds a few packages (numpy among them) in older
            # versions than the projects ask for: take each from wherever it fits.
            "--index-strategy",
            "unsafe-best-match",
            "--constraint",
            str(constraints),
        ]
    version = _newest(TORCH_WHEELS, "torch")
    if version is None:
        return ["--no-sources", "--torch-backend", "cpu"]
    constraints = tmp / "torch-constraints.txt"
    constraints.write_text(f"torch=={version}\n")
    return ["--no-sources", "--find-links", str(TORCH_WHEELS), "--constraint", str(constraints)]


def install(project: Path, slug: str) -> Installed:
    venv = project / ".venv"
    subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    pyproject = (project / "pyproject.toml").read_text()
    extra = (
        torch_options(project.parent, torchvision='"torchvision' in pyproject)
        if '"torch' in pyproject
        else []
    )
    result = subprocess.run(
        [
            UV,
            "pip",
            "install",
            "--quiet",
            # Every test starts Python processes in this environment (pytest, train,
            # serve), with PYTHONDONTWRITEBYTECODE=1 on CI machines: without .pyc
            # files each of them compiled torch, scikit-learn and MLflow again
            # (7 of the 14 s a deep-learning pytest took to start).
            "--compile-bytecode",
            "--python",
            str(venv / "bin" / "python"),
            *extra,
            "-e",
            ".[dev]",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return Installed(project, venv, slug)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def logs(self) -> str:
        """All output so far; call after the process has exited."""
        return self.process.stdout.read() if self.process.stdout else ""


def wait_for(url: str, process: subprocess.Popen, path: str, timeout: float = 60) -> int:
    """Poll until `path` answers at all; returns its status code."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return httpx.get(f"{url}{path}", timeout=2).status_code
        except httpx.TransportError:
            if process.poll() is not None:
                logs = process.stdout.read() if process.stdout else ""
                raise AssertionError(f"server exited: {logs}") from None
            time.sleep(0.2)
    raise AssertionError(f"{url}{path} did not answer within {timeout} s")


@contextmanager
def serving(
    installed: Installed,
    env: dict | None = None,
    ready: bool = True,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Server]:
    """Run `<slug> serve` on a free port; with ready=True, wait for /ready to say 200."""
    port = free_port()
    process = subprocess.Popen(
        [installed.bin(installed.slug), "serve", "--host", "127.0.0.1", *extra_args],
        cwd=installed.project,
        env={**os.environ, "PORT": str(port), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, process, "/health")
        if ready:
            deadline = time.monotonic() + 60
            while httpx.get(f"{url}/ready").status_code != 200:
                assert time.monotonic() < deadline, "never became ready"
                time.sleep(0.2)
        yield Server(url, process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# Clients that keep a service busy, in a process of their own: threads in the
# test's process would hold its GIL and slow the very /health probes that
# measure the service. They speak HTTP/1.1 over plain sockets, each request
# built once: an HTTP client library took half a core of this 2-core machine
# from the service it was meant to load.
_SENDERS = """
import socket, sys, threading, time
import httpx
url, route, path, kind, clients, seconds = sys.argv[1:]
body = open(path, "rb").read()
if kind == "upload":
    request = httpx.Request("POST", url + route, files={"file": ("upload.png", body, "image/png")})
else:
    json_type = {"content-type": "application/json"}
    request = httpx.Request("POST", url + route, content=body, headers=json_type)
payload = request.read()
head = "".join(f"{k}: {v}\\r\\n" for k, v in request.headers.items() if k.lower() != "host")
host = request.url.netloc.decode()
wire = f"POST {route} HTTP/1.1\\r\\nHost: {host}\\r\\n{head}\\r\\n".encode() + payload
deadline = time.monotonic() + float(seconds)
statuses, lock = [], threading.Lock()
def answer(stream):
    # The status, and whether the server keeps the connection open.
    status = int(stream.readline().split()[1])
    length, keep = 0, True
    while (line := stream.readline()) not in (b"\\r\\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        keep = keep and not (name == "connection" and value == "close")
    stream.read(length)
    return status, keep
def send():
    while time.monotonic() < deadline:
        with socket.create_connection((request.url.host, request.url.port), timeout=120) as sock:
            stream, keep = sock.makefile("rb"), True
            while keep and time.monotonic() < deadline:
                sock.sendall(wire)
                status, keep = answer(stream)
                with lock:  # one print per line from many threads can interleave
                    statuses.append(status)
threads = [threading.Thread(target=send) for _ in range(int(clients))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(*statuses)
"""


def health_under_load(
    url: str, route: str, body: bytes, kind: str, clients: int, tmp: Path
) -> tuple[list[float], list[int]]:
    """/health latencies (s) while `clients` keep posting `body` ("upload" or "json"),
    and the statuses those posts got."""
    payload = tmp / "load-body"
    payload.write_bytes(body)
    senders = subprocess.Popen(
        [sys.executable, "-c", _SENDERS, url, route, str(payload), kind, str(clients), "5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    latencies = []
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            time.sleep(1.0)  # every sender has a request in the service by now
            for _ in range(20):
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.1)
    finally:
        output, _ = senders.communicate(timeout=300)
    return latencies, [int(line) for line in output.split()]
