"""Anonymous catalogue reads are shared for ANON_CACHE_SECONDS and answered 304 on a matching
ETag; nothing of one visitor (a member's page, a CSRF token, a cookie) is ever shared."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import CarModelFactory, VehicleFactory
from vendingstore.anoncache import KEY_PREFIX

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture
def shared(settings):
    settings.ANON_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def listed(db):
    return VehicleFactory().car_model


def get(client: Client, url: str, **headers: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/", "/?powertrain=bev&sort=price", "/api/v1/models/", "/api/v1/brands/"])
def test_it_answers_a_second_anonymous_read_from_the_cache_without_queries(shared, listed, url) -> None:
    first, first_queries = get(Client(), url)
    second, second_queries = get(Client(), url)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first["X-Anon-Cache"] == "miss"
    assert second["X-Anon-Cache"] == "hit"
    assert first_queries > 0
    assert second_queries == 0
    assert first["Content-Type"] == second["Content-Type"]


def test_it_answers_the_model_page_and_api_detail_from_the_cache(shared, listed) -> None:
    for url in (f"/cars/{listed.slug}/", f"/api/v1/models/{listed.slug}/"):
        get(Client(), url)
        again, queries = get(Client(), url)
        assert (again.status_code, queries) == (200, 0), url


def test_it_gives_each_visitor_their_own_csrf_token_and_cookie(shared, listed) -> None:
    first, second = Client(), Client()
    page_one = first.get("/")
    page_two = second.get("/")
    assert page_two["X-Anon-Cache"] == "hit"
    token_one = TOKEN.search(page_one.content.decode()).group(1)
    token_two = TOKEN.search(page_two.content.decode()).group(1)
    assert token_one != token_two
    assert "csrftoken" in page_two.cookies
    # The shared copy holds no token, and the token served works with the visitor's cookie.
    assert not any(token_two.encode() in value.get("body", b"") for value in _stored())
    switched = second.post("/i18n/setlang/", {"language": "zh-hans", "csrfmiddlewaretoken": token_two})
    assert switched.status_code == 302


def test_it_keys_the_answer_on_the_language(shared, listed) -> None:
    english = Client().get("/")
    chinese = Client(headers={"accept-language": "zh-hans"}).get("/")
    assert chinese["X-Anon-Cache"] == "miss"
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
    assert 'lang="zh-hans"' in chinese.content.decode()


def test_it_keys_the_answer_on_htmx(shared, listed) -> None:
    page = Client().get("/")
    fragment = Client().get("/", headers={"hx-request": "true"})
    assert fragment["X-Anon-Cache"] == "miss"
    assert len(fragment.content) < len(page.content)


def test_it_says_what_the_answer_varies_on(shared, listed) -> None:
    Client().get("/")
    page = Client().get("/")
    vary = {v.strip().lower() for v in page["Vary"].split(",")}
    assert {"hx-request", "accept-language", "cookie"} <= vary
    api = Client().get("/api/v1/models/")
    api = Client().get("/api/v1/models/")
    assert "accept" in {v.strip().lower() for v in api["Vary"].split(",")}
    assert "private" in page["Cache-Control"]
    assert "no-cache" in page["Cache-Control"]


def test_it_answers_304_on_a_matching_etag_without_rendering(shared, listed) -> None:
    api = Client()
    first = api.get("/api/v1/models/")
    etag = first["ETag"]
    again, queries = get(api, "/api/v1/models/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert queries == 0
    assert again.content == b""
    assert again["ETag"] == etag


def test_a_page_etag_follows_the_visitors_csrf_cookie(shared, listed) -> None:
    visitor = Client()
    first = visitor.get("/")
    assert visitor.get("/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    stranger = Client()
    answer = stranger.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert answer.status_code == 200  # a copy with another visitor's token is not "the same"


def test_a_changed_answer_gets_a_new_etag(shared, listed) -> None:
    first = Client().get("/api/v1/models/")
    cache.clear()
    CarModelFactory(brand=listed.brand)
    VehicleFactory(car_model=CarModelFactory(brand=listed.brand))
    changed = Client().get("/api/v1/models/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_it_never_shares_a_members_page(shared, listed, django_user_model) -> None:
    user = django_user_model.objects.create_user(username="m", password="pw-long-enough-1")
    member = Client()
    member.force_login(user)
    page, _ = get(member, "/")
    assert "X-Anon-Cache" not in page
    assert "Log out" in page.content.decode()
    assert not _stored()
    visitor = Client().get("/")
    assert "Log out" not in visitor.content.decode()


def test_it_does_not_cache_other_views_posts_or_errors(shared, listed) -> None:
    assert "X-Anon-Cache" not in Client().get("/compare/")
    assert "X-Anon-Cache" not in Client().get("/account/login/")
    assert Client().get("/cars/no-such-car/").status_code == 404
    assert Client().get("/api/v1/models/?sort=nonsense").status_code == 400
    assert not _stored()


def test_it_is_off_at_zero_seconds(listed, settings) -> None:
    settings.ANON_CACHE_SECONDS = 0
    assert "X-Anon-Cache" not in Client().get("/")


def _stored() -> list[dict]:
    # LocMemCache in the tests: read every entry this middleware stored.
    store = getattr(cache, "_cache", {})
    return [cache.get(key.split(":", 2)[-1]) for key in store if KEY_PREFIX in key]
