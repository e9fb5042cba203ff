"""The booking pages of the portal, through the Django test client."""

import re
from datetime import date

import pytest
from django.urls import reverse

from testdrives.models import State, TestDrive
from tests.fixtures.world import TEN, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, super_member):
    client.force_login(super_member.user)
    return client


def book_form(client, car_model, store, paint):
    page = client.get(
        reverse("testdrives:book", args=[car_model.slug]),
        {"store": store.pk, "paint": paint.pk, "day": TEN.date().isoformat()},
    )
    assert page.status_code == 200
    html = page.content.decode()
    key = re.search(r'name="request_key" value="([^"]+)"', html).group(1)
    return html, key


def test_the_book_page_lists_pickup_times_with_how_many_are_left(logged_in, car_model, store, paint, cars):
    html, _ = book_form(logged_in, car_model, store, paint)

    assert 'value="2026-12-01T10:00:00+08:00"' in html
    assert 'data-left="2"' in html  # two cars, six pickups per window: two left
    assert html.count('name="slot"') == 40  # 10:00–20:00 in 15-minute windows


def test_booking_twice_with_the_same_form_makes_one_booking(
    logged_in, car_model, store, paint, cars, super_member
):
    _, key = book_form(logged_in, car_model, store, paint)
    data = {"store": store.pk, "paint": paint.pk, "slot": TEN.isoformat(), "request_key": key}
    url = reverse("testdrives:book", args=[car_model.slug])

    first = logged_in.post(url, data)
    second = logged_in.post(url, data)

    td = TestDrive.objects.get(member=super_member)
    assert first.url == second.url == reverse("testdrives:detail", args=[td.pk])
    detail = logged_in.get(first.url).content.decode()
    assert td.pickup_code in detail
    assert "<svg" in detail  # the QR code


def test_a_refused_booking_shows_every_reason_and_stores_nothing(
    client, car_model, store, paint, cars, clock
):
    member = make_member(score=500, consent=False, licence_expires_on=date(2026, 12, 2))
    client.force_login(member.user)
    url = reverse("testdrives:book", args=[car_model.slug])

    response = client.post(
        url,
        {
            "store": store.pk,
            "paint": paint.pk,
            "slot": TEN.isoformat(),
            "request_key": "7f1c7a1e-1111-4a4a-8b8b-123456789abc",
        },
        follow=True,
    )

    html = response.content.decode()
    assert 'data-rule="driving_licence"' in html
    assert 'data-rule="credit_score"' in html
    assert not TestDrive.objects.exists()


def test_another_members_booking_is_not_found(client, book, super_member, clock):
    td = book(super_member)
    intruder = make_member(score=760)
    client.force_login(intruder.user)

    for name in ("detail", "buy"):
        assert client.get(reverse(f"testdrives:{name}", args=[td.pk])).status_code == 404
    assert client.post(reverse("testdrives:cancel", args=[td.pk])).status_code == 404
    td.refresh_from_db()
    assert td.state == State.SCHEDULED


def test_the_member_cancels_from_the_booking_page(logged_in, book, super_member):
    td = book(super_member)

    logged_in.post(reverse("testdrives:cancel", args=[td.pk]))

    td.refresh_from_db()
    assert td.state == State.CANCELLED


def test_my_test_drives_lists_the_booking_and_its_messages(logged_in, book, super_member):
    td = book(super_member)

    html = logged_in.get(reverse("testdrives:list")).content.decode()

    assert reverse("testdrives:detail", args=[td.pk]) in html
    assert 'data-kind="booked"' in html
    assert td.pickup_code in html  # the booked message names the pickup code
