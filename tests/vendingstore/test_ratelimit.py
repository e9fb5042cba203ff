"""Issue 13, item 2: the per-address rate limit counts the real caller, atomically, on the API and
the portal's anonymous forms."""

import threading

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from vendingstore.ratelimit import AnonAddressThrottle, Rate, client_ip, rate_hit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters() -> None:
    cache.clear()


@pytest.fixture
def redis_cache(settings) -> None:
    """The real Redis (the test database number from REDIS_URL), as production counts."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": "vs-test-ratelimit",
        }
    }
    cache.clear()
    yield
    cache.clear()


def test_a_rotating_x_forwarded_for_does_not_escape_the_api_limit(settings) -> None:
    settings.API_ANON_RATE = "5/minute"
    api = APIClient()

    codes = [api.get("/api/v1/brands/", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1").status_code for n in range(12)]

    assert codes == [200] * 5 + [429] * 7


def test_a_throttled_answer_says_when_to_come_back(settings) -> None:
    settings.API_ANON_RATE = "1/minute"
    api = APIClient()
    api.get("/api/v1/brands/")

    response = api.get("/api/v1/brands/")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_behind_trusted_proxies_the_address_is_the_one_our_outer_proxy_saw(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.0.0.1"
    )

    assert client_ip(request) == "203.0.113.9"


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert client_ip(request) == "198.51.100.7"


def test_parallel_requests_from_one_address_are_all_counted_in_redis(settings, redis_cache) -> None:
    settings.API_ANON_RATE = "20/minute"
    factory = RequestFactory()
    allowed: list[bool] = []
    barrier = threading.Barrier(50)

    def call() -> None:
        from rest_framework.request import Request

        request = Request(factory.get("/api/v1/brands/", REMOTE_ADDR="192.0.2.50"))
        request.user = None
        barrier.wait()
        allowed.append(AnonAddressThrottle().allow_request(request, None))

    threads = [threading.Thread(target=call) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert allowed.count(True) == 20
    assert allowed.count(False) == 30
    assert rate_hit(scope="api-anon", key="192.0.2.50", rate=Rate.parse("20/minute")).count == 51


def test_the_portal_forms_share_one_per_address_limit(settings, client) -> None:
    settings.PORTAL_ANON_POST_RATE = "3/minute"

    codes = [
        client.post("/account/login/", {"username": "a@example.com", "password": "x"}).status_code,
        client.post("/account/signup/", {}).status_code,
        client.post("/account/password-reset/", {"email": "a@example.com"}).status_code,
        client.post("/snap/", {}).status_code,
        client.post(
            "/account/login/", {"username": "b@example.com", "password": "x"}, REMOTE_ADDR="192.0.2.1"
        ).status_code,
    ]

    assert codes[3] == 429
    assert 429 not in codes[:3]
    assert codes[4] != 429  # another address has its own count


def test_it_reads_rates_in_the_documented_forms() -> None:
    assert Rate.parse("600/minute") == Rate(limit=600, period=60)
    assert Rate.parse("20/15min") == Rate(limit=20, period=900)
    with pytest.raises(ValueError, match="Not a rate"):
        Rate.parse("lots")
