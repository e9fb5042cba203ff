"""The booking pages work on the store's own clock, not the project's TIME_ZONE (Shanghai): the
store's today, its opening hours as windows, their labels, a posted time and the day a refusal
goes back to. Tokyo is one hour ahead of Shanghai, London (in December) eight hours behind."""

import re
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from fleet.models import Store
from testdrives.models import Notification, TestDrive
from testdrives.notify import notification_text
from testdrives.selectors import booking_days, slot_list, store_localdate
from tests.factories import TowerFactory, VehicleFactory
from tests.fixtures.world import SHANGHAI

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")
# 07:00 in Shanghai is 08:00 in Tokyo: before the store opens at 10:00 (Tokyo).
TOKYO_EARLY = datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)
# Half an hour before Shanghai's midnight is half an hour after Tokyo's.
TOKYO_PAST_MIDNIGHT = datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI)


def store_in(zone: str, name: str, car_model, paint) -> Store:
    """A store open 10:00–20:00 on its own clock (the factory's hours), with two of the cars."""
    store = TowerFactory(store__name=name, store__time_zone=zone).store
    for _ in range(2):
        VehicleFactory(store=store, car_model=car_model, paint=paint)
    return store


@pytest.fixture
def tokyo(car_model, paint) -> Store:
    return store_in("Asia/Tokyo", "Tokyo Ginza", car_model, paint)


@pytest.fixture
def london(car_model, paint) -> Store:
    return store_in("Europe/London", "London Mayfair", car_model, paint)


@pytest.fixture
def logged_in(client, super_member):
    client.force_login(super_member.user)
    return client


def book_page(client, car_model, **query) -> str:
    response = client.get(reverse("testdrives:book", args=[car_model.slug]), query)
    assert response.status_code == 200
    return response.content.decode()


def book_post(client, car_model, store, paint, slot: str):
    data = {"store": store.pk, "paint": paint.pk, "slot": slot, "request_key": str(uuid.uuid4())}
    return client.post(reverse("testdrives:book", args=[car_model.slug]), data)


def test_the_windows_offered_are_the_stores_opening_hours_on_its_own_clock(tokyo, car_model, paint, clock):
    clock.move_to(TOKYO_EARLY)

    slots = slot_list(store=tokyo, car_model=car_model, paint=paint, day=date(2026, 12, 1))

    assert len(slots) == 40
    assert slots[0].starts_at == datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)
    assert slots[0].starts_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert slots[-1].ends_at == datetime(2026, 12, 1, 20, 0, tzinfo=TOKYO)


def test_the_page_labels_the_windows_in_the_stores_local_time(logged_in, tokyo, car_model, paint, clock):
    clock.move_to(TOKYO_EARLY)

    html = book_page(logged_in, car_model, store=tokyo.pk, paint=paint.pk, day="2026-12-01")
    labels = re.findall(r'<span class="slot__time">([^<]+)</span>', html)

    assert 'value="2026-12-01T10:00:00+09:00"' in html
    assert labels[0] == "10:00–10:15"  # not Shanghai's 09:00
    assert labels[-1] == "19:45–20:00"


def test_today_turns_at_the_stores_midnight_not_shanghais(tokyo, store, clock):
    clock.move_to(TOKYO_PAST_MIDNIGHT)

    assert store_localdate(store=tokyo) == date(2026, 12, 2)
    assert store_localdate(store=store) == date(2026, 12, 1)  # the Shanghai store: still the 1st
    assert booking_days(store=tokyo)[0] == date(2026, 12, 2)


def test_the_page_opens_on_the_stores_today_and_offers_its_days(logged_in, tokyo, car_model, paint, clock):
    clock.move_to(TOKYO_PAST_MIDNIGHT)

    response = logged_in.get(
        reverse("testdrives:book", args=[car_model.slug]), {"store": tokyo.pk, "paint": paint.pk}
    )
    days = [value for value, _ in response.context["form"].fields["day"].choices]

    assert response.context["search"]["day"] == date(2026, 12, 2)
    assert days[0] == "2026-12-02"
    assert 'value="2026-12-02T10:00:00+09:00"' in response.content.decode()


def test_a_day_already_over_at_the_store_is_not_offered(logged_in, tokyo, car_model, paint, clock):
    clock.move_to(TOKYO_PAST_MIDNIGHT)

    response = logged_in.get(
        reverse("testdrives:book", args=[car_model.slug]),
        {"store": tokyo.pk, "paint": paint.pk, "day": "2026-12-01"},  # still today in Shanghai
    )

    assert response.context["search"] is None
    assert "day" in response.context["form"].errors


def test_a_posted_slot_is_booked_at_the_right_utc_instant(
    logged_in, tokyo, car_model, paint, super_member, clock
):
    clock.move_to(TOKYO_EARLY)

    response = book_post(logged_in, car_model, tokyo, paint, "2026-12-01T10:00:00+09:00")

    td = TestDrive.objects.get(member=super_member)
    assert response.url == reverse("testdrives:detail", args=[td.pk])
    assert td.slot_start == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_a_posted_time_without_an_offset_is_read_on_the_stores_clock(
    logged_in, tokyo, car_model, paint, super_member, clock
):
    clock.move_to(TOKYO_EARLY)

    book_post(logged_in, car_model, tokyo, paint, "2026-12-01T10:00:00")

    assert TestDrive.objects.get(member=super_member).slot_start == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def test_a_time_outside_the_stores_hours_is_refused_though_shanghai_is_open_then(
    logged_in, tokyo, car_model, paint, clock
):
    clock.move_to(TOKYO_EARLY)

    # 19:30 in Shanghai is 20:30 in Tokyo: the store has closed.
    response = book_post(logged_in, car_model, tokyo, paint, "2026-12-01T19:30:00+08:00")

    assert not TestDrive.objects.exists()
    assert "day=2026-12-01" in response.url


def test_a_refusal_goes_back_to_the_stores_day_of_the_window(logged_in, london, car_model, paint, clock):
    # 17:05 in London is already 01:05 on the 2nd in Shanghai; and not a window start.
    response = book_post(logged_in, car_model, london, paint, "2026-12-01T17:05:00+00:00")

    assert not TestDrive.objects.exists()
    assert "day=2026-12-01" in response.url


def test_the_booking_shows_its_window_in_the_stores_local_time(
    logged_in, tokyo, car_model, paint, super_member, clock
):
    clock.move_to(TOKYO_EARLY)
    book_post(logged_in, car_model, tokyo, paint, "2026-12-01T10:00:00+09:00")
    td = TestDrive.objects.get(member=super_member)

    detail = logged_in.get(reverse("testdrives:detail", args=[td.pk])).content.decode()
    listing = logged_in.get(reverse("testdrives:list")).content.decode()

    assert "between 1 Dec 2026, 10:00 and 10:15" in detail
    assert "Tokyo Ginza · 1 Dec 2026, 10:00" in listing


def test_a_booking_moved_to_another_zones_store_lands_on_that_stores_clock(
    logged_in, book, tokyo, paint, super_member, clock
):
    td = book(super_member)  # the Shanghai store, 10:00 on the 1st

    logged_in.post(
        reverse("testdrives:reschedule", args=[td.pk]),
        {"store": tokyo.pk, "paint": paint.pk, "slot": "2026-12-02T10:00:00"},
    )

    td.refresh_from_db()
    assert (td.store, td.slot_start) == (tokyo, datetime(2026, 12, 2, 1, 0, tzinfo=UTC))


def test_the_booked_message_gives_the_window_in_the_stores_local_time(
    logged_in, tokyo, car_model, paint, super_member, clock
):
    clock.move_to(TOKYO_EARLY)
    book_post(logged_in, car_model, tokyo, paint, "2026-12-01T10:00:00+09:00")

    _, body = notification_text(Notification.objects.get(kind="booked"), language="en")

    assert "booked for 1 Dec 2026, 10:00 at Tokyo Ginza" in body
