"""Load test of the service with Locust.

    locust -f loadtest/locustfile.py --host http://localhost:8000 \
        --headless --users 32 --spawn-rate 32 --run-time 30s --csv reports/loadtest

Each simulated client sends requests back to back: mostly one row, now and
then a batch of 32. Rows are the example values from /metadata, so the test
follows whatever model is deployed. `make loadtest` runs the line above.
"""

from __future__ import annotations

from locust import FastHttpUser, constant, task

BATCH_ROWS = 32


class PredictingClient(FastHttpUser):
    wait_time = constant(0)  # as fast as the service answers

    def on_start(self) -> None:
        features = self.client.get("/metadata").json()["features"]
        self.row = {feature["name"]: feature["example"] for feature in features}

    @task(10)
    def predict_one_row(self) -> None:
        self.client.post("/predict", json={"rows": [self.row]}, name="/predict (1 row)")

    @task(1)
    def predict_a_batch(self) -> None:
        rows = [self.row] * BATCH_ROWS
        self.client.post("/predict", json={"rows": rows}, name=f"/predict ({BATCH_ROWS} rows)")
