"""The catalogue's cards are shared between visitors for CATALOGUE_CACHE_SECONDS."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fleet.models import Vehicle, VehicleStatus
from tests.factories import VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cards_cached(settings):
    settings.CATALOGUE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def queries_for(client, url: str, **headers: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_a_second_visitor_gets_the_cards_without_loading_them_again(cards_cached, client) -> None:
    VehicleFactory.create_batch(2)
    first, first_page = queries_for(client, "/")
    second, second_page = queries_for(client, "/")
    assert second < first
    assert cards(second_page) == cards(first_page)


def cards(page: str) -> str:
    # Only the cards are shared; the rest of the page (a CSRF token, say) is each visitor's own.
    start = page.index('<ul class="card-grid">')
    return page[start : page.index("</ul>", start)]


def test_cached_cards_age_out_and_show_the_new_count(cards_cached, client, settings) -> None:
    vehicle = VehicleFactory()
    assert "1 available now" in queries_for(client, "/")[1]
    Vehicle.objects.filter(pk=vehicle.pk).update(status=VehicleStatus.MAINTENANCE, bay=None)
    assert "1 available now" in queries_for(client, "/")[1]  # still within the cache time
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.CATALOGUE_CACHE_SECONDS + 1)):
        assert "1 available now" not in queries_for(client, "/")[1]


def test_each_question_and_language_has_its_own_entry(cards_cached, client) -> None:
    VehicleFactory(car_model__name="Seal", car_model__name_zh="海豹", car_model__body_type="sedan")
    VehicleFactory(car_model__name="Tank", car_model__name_zh="坦克", car_model__body_type="suv")
    queries_for(client, "/")
    assert "Tank" not in queries_for(client, "/?body=sedan")[1]
    assert "海豹" in queries_for(client, "/", HTTP_ACCEPT_LANGUAGE="zh-hans")[1]
