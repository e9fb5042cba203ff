"""Locust users for bench/catalogue_load.py: customers browsing the catalogue, page and API.

Run by catalogue_load.py, which sets:
  BENCH_MODEL_SLUGS  comma-separated slugs of listed models (read from the API before the run)
  BENCH_WAIT         think time between a user's requests, "0" or "MIN-MAX" in seconds

Every endpoint has the same weight, so each gets about a seventh of the requests, and URLs with
variable parts are grouped under one name so the statistics are per endpoint. The tags "page"
and "api" (locust --tags) run the portal pages or the API alone.
"""

import os
import random

from locust import between, constant, tag, task
from locust.contrib.fasthttp import FastHttpUser

SLUGS = [s for s in os.environ.get("BENCH_MODEL_SLUGS", "").split(",") if s]
FILTERS = [
    "?powertrain=bev&sort=price",
    "?body=suv&available=true",
    "?brand=byd&brand=tesla&sort=-price",
    "?price_min=150000&price_max=300000&sort=range",
]

# Searches as customers type them: names in both languages, body and powertrain words, typos,
# and one that finds nothing (and so computes suggestions).
SEARCHES = ["比亚迪", "海豹", "SUV", "电动", "byd seal", "tesla model y", "electric suv", "tesle", "nio es6x"]


def think_time():
    spec = os.environ.get("BENCH_WAIT", "0")
    if spec in ("", "0"):
        return constant(0)
    low, high = (float(x) for x in spec.split("-"))
    return between(low, high)


class Customer(FastHttpUser):
    wait_time = think_time()

    @tag("page")
    @task
    def catalogue_page(self) -> None:
        self.client.get("/", name="page: /")

    @tag("page")
    @task
    def filtered_catalogue_page(self) -> None:
        self.client.get(f"/{random.choice(FILTERS)}", name="page: /?filters")

    @tag("page")
    @task
    def search_page(self) -> None:
        self.client.get("/", params={"q": random.choice(SEARCHES)}, name="page: /?q=")

    @tag("page")
    @task
    def model_page(self) -> None:
        self.client.get(f"/cars/{random.choice(SLUGS)}/", name="page: /cars/<slug>/")

    @tag("api")
    @task
    def api_model_list(self) -> None:
        self.client.get("/api/v1/models/", name="api: /api/v1/models/")

    @tag("api")
    @task
    def api_search(self) -> None:
        self.client.get(
            "/api/v1/models/", params={"q": random.choice(SEARCHES)}, name="api: /api/v1/models/?q="
        )

    @tag("api")
    @task
    def api_model_detail(self) -> None:
        self.client.get(f"/api/v1/models/{random.choice(SLUGS)}/", name="api: /api/v1/models/<slug>/")
