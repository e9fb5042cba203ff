"""Issue 13, item 7: with Redis down the store keeps working from the database; /healthz says 503."""

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import CarModelFactory, MemberFactory
from vendingstore.cache import ResilientRedisCache

pytestmark = pytest.mark.django_db
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings) -> None:
    """The production cache backend pointed at a port where nothing listens."""
    settings.REDIS_URL = DEAD_REDIS
    settings.CACHES = {
        "default": {
            "BACKEND": "vendingstore.cache.ResilientRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CATALOGUE_CACHE_SECONDS = 10
    settings.API_ANON_RATE = "50/minute"


def test_the_catalogue_and_the_api_answer_from_the_database(redis_down, client) -> None:
    CarModelFactory(name="Seal")

    page = client.get("/")
    brands = APIClient().get("/api/v1/brands/")

    assert page.status_code == 200
    assert "Seal" in page.content.decode()
    assert brands.status_code == 200


def test_a_member_logs_in_while_redis_is_down(redis_down, client) -> None:
    MemberFactory(user__username="li@example.com", user__email="li@example.com")
    response = client.post(
        reverse("members:login"), {"username": "li@example.com", "password": "pw-for-tests-1"}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_throttle_falls_back_to_counting_in_the_process(redis_down, settings) -> None:
    settings.API_ANON_RATE = "3/minute"
    api = APIClient()

    codes = [api.get("/api/v1/brands/", REMOTE_ADDR="198.51.100.77").status_code for _ in range(5)]

    assert codes == [200, 200, 200, 429, 429]


def test_healthz_still_answers_503(redis_down, client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


def test_a_cache_failure_is_a_logged_miss(redis_down, caplog) -> None:
    backend = ResilientRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 0.5}})

    with caplog.at_level(logging.WARNING, logger="vendingstore.cache"):
        backend.set("k", "v", 10)
        missed = backend.get("k", "default")

    assert missed == "default"
    assert "answering as a miss" in caplog.text
