"""Load shedding: a request that waited too long in the queue, or one over the in-flight limit,
gets a quick bilingual 503 with Retry-After; the health check and the operators never do."""

import threading
import time

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from vendingstore.shedding import LoadSheddingMiddleware, queue_ms

pytestmark = pytest.mark.django_db


def stamp(seconds_ago: float) -> str:
    return f"t={time.time() - seconds_ago:.3f}"


def test_it_answers_503_with_retry_after_to_a_request_that_queued_too_long(settings) -> None:
    settings.LOAD_SHED_QUEUE_MS = 500
    settings.LOAD_SHED_RETRY_AFTER_SECONDS = 3
    response = Client().get("/api/v1/models/", HTTP_X_REQUEST_START=stamp(2))
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert "try again in 3 seconds" in text
    assert "3" in text.splitlines()[1]
    assert text.splitlines()[0] != text.splitlines()[1]  # English and Chinese


def test_it_serves_a_request_that_queued_briefly_or_carries_no_stamp(settings) -> None:
    settings.LOAD_SHED_QUEUE_MS = 500
    assert Client().get("/api/v1/brands/", HTTP_X_REQUEST_START=stamp(0.1)).status_code == 200
    assert Client().get("/api/v1/brands/").status_code == 200
    assert Client().get("/api/v1/brands/", HTTP_X_REQUEST_START="garbage").status_code == 200


def test_it_never_sheds_the_health_check_the_ops_console_or_the_admin(settings) -> None:
    settings.LOAD_SHED_QUEUE_MS = 1
    old = stamp(60)
    # The health check answers 503 itself when a service it checks is down: not shed, though.
    assert "Retry-After" not in Client().get("/healthz", HTTP_X_REQUEST_START=old)
    assert Client().get("/ops/", HTTP_X_REQUEST_START=old).status_code == 302  # to the login
    assert Client().get("/admin/", HTTP_X_REQUEST_START=old).status_code == 302
    assert "Retry-After" in Client().get("/", HTTP_X_REQUEST_START=old)


def test_it_is_off_at_zero(settings) -> None:
    settings.LOAD_SHED_QUEUE_MS = 0
    assert Client().get("/api/v1/brands/", HTTP_X_REQUEST_START=stamp(60)).status_code == 200


@pytest.mark.parametrize(
    ("header", "ago_ms"),
    [("t=1700000000.5", 1500), ("1700000000500", 1500), ("t=1700000000500000", 1500), ("", None)],
)
def test_it_reads_the_stamp_in_seconds_milliseconds_or_microseconds(header, ago_ms) -> None:
    assert queue_ms(header, now=1700000002.0) == ago_ms


def test_it_sheds_requests_over_the_in_flight_limit_of_a_process(settings) -> None:
    settings.LOAD_SHED_IN_FLIGHT = 1
    settings.LOAD_SHED_QUEUE_MS = 0
    entered, release = threading.Event(), threading.Event()

    def slow_view(request):
        entered.set()
        release.wait(5)
        return HttpResponse("ok")

    middleware = LoadSheddingMiddleware(slow_view)
    request = RequestFactory().get("/")
    answers = []
    worker = threading.Thread(target=lambda: answers.append(middleware(request)))
    worker.start()
    assert entered.wait(5)
    shed = middleware(RequestFactory().get("/"))
    release.set()
    worker.join(5)
    assert shed.status_code == 503
    assert "Retry-After" in shed
    assert answers[0].status_code == 200
    assert middleware(RequestFactory().get("/")).status_code == 200  # the count went back down
