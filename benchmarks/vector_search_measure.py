"""Run by vector_search.py inside the genai intermediate project's environment.

Arguments: the beginner project's search_index.py, the sizes (JSON), queries per size.
Prints one JSON list of rows.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time

import numpy as np
from document_assistant.search_index import SearchIndex

K = 10
DIMENSIONS = 384  # all-MiniLM-L6-v2


def load_beginner_index(path: str):
    spec = importlib.util.spec_from_file_location("beginner_index", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SearchIndex


def unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def per_second(index, queries: np.ndarray) -> tuple[float, list]:
    index.search(queries[:1], K)  # warm-up
    started = time.perf_counter()
    results = [index.search(query[None, :], K)[0] for query in queries]
    return len(queries) / (time.perf_counter() - started), results


def recall(found: list, exact: list) -> float:
    shares = [
        len({i for i, _ in got} & {i for i, _ in want}) / K
        for got, want in zip(found, exact, strict=True)
    ]
    return float(np.mean(shares))


def main() -> None:
    beginner_file, sizes, per_size = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
    NumpyIndex = load_beginner_index(beginner_file)
    rng = np.random.default_rng(0)
    rows = []
    for size in sizes:
        vectors = unit(rng.standard_normal((size, DIMENSIONS)).astype(np.float32))
        queries = unit(rng.standard_normal((per_size, DIMENSIONS)).astype(np.float32))
        chunks = [{"source": "x", "position": i, "text": ""} for i in range(size)]
        baseline, exact = per_second(NumpyIndex.build(vectors, chunks), queries)
        rows.append(row(size, "numpy exact (beginner)", baseline, baseline, 1.0, None))
        for name, kind in [("FAISS flat", "flat"), ("FAISS HNSW", "hnsw")]:
            started = time.perf_counter()
            index = SearchIndex.build(vectors, chunks, kind)
            build_seconds = time.perf_counter() - started
            rate, found = per_second(index, queries)
            rows.append(row(size, name, rate, baseline, recall(found, exact), build_seconds))
    print(json.dumps(rows))


def row(size, engine, rate, baseline, recall_at_k, build_seconds) -> dict:
    return {
        "size": size,
        "engine": engine,
        "qps": rate,
        "ratio": rate / baseline,
        "recall": recall_at_k,
        "build_s": build_seconds,
    }


if __name__ == "__main__":
    main()
