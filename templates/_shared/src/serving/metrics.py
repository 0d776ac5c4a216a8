"""Prometheus metrics: how many requests, how fast, and what the model answers.

Each app gets its own registry (tests build many apps in one process). The
route label is the route's template (``/predict``), never the raw path, so a
scan of random URLs cannot blow up the number of time series.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Sub-millisecond to seconds: a fast model answers in ~1 ms, a slow one in ~1 s.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests answered, by route and status code",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from request to the end of the response, by route",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predicted_classes = Counter(
            "model_predictions",
            "Predictions made, by predicted class",
            ["prediction"],
            registry=self.registry,
        )
        self.predicted_values = Histogram(
            "model_predicted_value",
            "Distribution of predicted values (regression)",
            registry=self.registry,
        )

        self.outside_training = Counter(
            "model_inputs_outside_training",
            "Values served although training never saw them (out of range, new category)",
            ["feature"],
            registry=self.registry,
        )

    def observe_outside_training(self, counts: dict[str, int]) -> None:
        """Served values that training never saw: a first sign of drift."""
        for feature, count in counts.items():
            self.outside_training.labels(feature=feature).inc(count)

    def observe_predictions(self, predictions: Iterable[str | float]) -> None:
        for prediction in predictions:
            if isinstance(prediction, str):
                self.predicted_classes.labels(prediction=prediction).inc()
            else:
                self.predicted_values.observe(prediction)

    def response(self) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Pure ASGI middleware: counts and times every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client sees if the app raises before answering

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", "other")  # static files, unknown paths
            method = scope["method"]
            self.metrics.requests.labels(method=method, route=label, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=label).observe(
                time.perf_counter() - started
            )
