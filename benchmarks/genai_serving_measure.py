"""Runs inside the rendered genai advanced project's environment (see
genai_serving.py): the tiny generator in-process, then through the project's
own `serve` over /v1/chat/completions with the official openai client, at 1 and
4 concurrent clients. Prints one JSON line of rows.

    python genai_serving_measure.py <project> <slug> <package> <requests per client> <max tokens>
"""

from __future__ import annotations

import importlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import openai

MESSAGES = [
    {"role": "system", "content": "You answer briefly."},
    {"role": "user", "content": "How do I deploy the service to Render?"},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


Sample = tuple[float, float, int]  # time to first token, request seconds, completion tokens


def summarise(name: str, clients: int, samples: list[Sample], wall: float) -> dict:
    tokens = sum(count for _, _, count in samples)
    speeds = [count / seconds for _, seconds, count in samples]
    return {
        "path": name,
        "clients": clients,
        "requests": len(samples),
        "ttft_ms_p50": statistics.median(first for first, _, _ in samples) * 1000,
        "per_request_tokens_per_s": statistics.median(speeds),
        "total_tokens_per_s": tokens / wall,
    }


def in_process(package: str, model: Path, clients: int, requests: int, max_tokens: int) -> dict:
    generator_module = importlib.import_module(f"{package}.generator")
    generator = generator_module.Generator.load(str(model), device="cpu")
    generator.generate(MESSAGES, max_new_tokens=4)  # warm-up
    samples: list[Sample] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(requests):
            started = time.perf_counter()
            stream = generator.stream(MESSAGES, max_new_tokens=max_tokens)
            first = None
            for _piece in stream:
                first = first or time.perf_counter() - started
            seconds = time.perf_counter() - started
            with lock:
                samples.append((first or seconds, seconds, stream.completion_tokens))

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summarise("in-process Generator.stream", clients, samples, time.perf_counter() - started)


def through_the_api(
    base_url: str, model: str, clients: int, requests: int, max_tokens: int
) -> dict:
    samples: list[Sample] = []
    lock = threading.Lock()

    def client() -> None:
        api = openai.OpenAI(base_url=base_url, api_key="unused", max_retries=0, timeout=120)
        for _ in range(requests):
            started = time.perf_counter()
            first, usage = None, None
            stream = api.chat.completions.create(
                model=model,
                messages=MESSAGES,
                max_tokens=max_tokens,
                stream=True,
                stream_options={"include_usage": True},
            )
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content and first is None:
                    first = time.perf_counter() - started
                usage = chunk.usage or usage
            seconds = time.perf_counter() - started
            with lock:
                samples.append((first or seconds, seconds, usage.completion_tokens))

    client_threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in client_threads:
        thread.start()
    for thread in client_threads:
        thread.join()
    name = "POST /v1/chat/completions, streamed"
    return summarise(name, clients, samples, time.perf_counter() - started)


def main() -> None:
    project, slug, package = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    requests, max_tokens = int(sys.argv[4]), int(sys.argv[5])
    model = project / "models" / "tiny-generator"
    environment = {
        **os.environ,
        "APP_GENERATOR_MODEL": str(model),
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    port = free_port()
    server = subprocess.Popen(
        [Path(sys.executable).parent / slug, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=environment,
        stdout=(project / "serve.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx2.get(f"http://127.0.0.1:{port}/ready").status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("serve never got ready:\n" + (project / "serve.log").read_text()[-3000:])
            time.sleep(0.2)
        base_url = f"http://127.0.0.1:{port}/v1"
        through_the_api(base_url, slug, 1, 2, 4)  # warm-up
        for clients in (1, 4):
            rows.append(in_process(package, model, clients, requests, max_tokens))
            rows.append(through_the_api(base_url, slug, clients, requests, max_tokens))
    finally:
        server.kill()
        server.wait()
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
