"""Extending and swapping from the API and the portal, in both languages; and the kiosk going on
from the first car's return to the swapped car's pickup."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from testdrives.models import Extension, State, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_identity_verified
from testdrives.services.swap import testdrive_swap
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory
from tests.fixtures.world import TEN, make_member, on_the_road
from tests.returns_support import side_png
from tests.testdrives.test_api import api_for

pytestmark = pytest.mark.django_db
DUE = TEN + timedelta(hours=72)


@pytest.fixture
def other_paint(store):
    paint = PaintFactory(car_model=CarModelFactory(msrp_cny=300_000))
    VehicleFactory(store=store, car_model=paint.car_model, paint=paint)
    return paint


@pytest.fixture
def driving(book, super_member, clock) -> TestDrive:
    td = on_the_road(book(super_member))
    clock.move_to(TEN + timedelta(days=1))
    return td


# --- API ------------------------------------------------------------------------------------------


def test_the_api_extends_once_per_idempotency_key(driving):
    api = api_for(driving.member)
    url = f"/api/v1/testdrives/{driving.pk}/extend/"
    key = str(uuid.uuid4())

    first = api.post(url, {"hours": 4}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    again = api.post(url, {"hours": 4}, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.data["extension"]["id"] == again.data["extension"]["id"]
    assert first.data["extension"]["fee_cny"] == 99
    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=4)
    assert Extension.objects.count() == 1


def test_the_api_refuses_past_the_cap_with_the_latest_time(driving):
    api = api_for(driving.member)
    assert (
        api.post(f"/api/v1/testdrives/{driving.pk}/extend/", {"hours": 20}, format="json").status_code == 201
    )

    response = api.post(f"/api/v1/testdrives/{driving.pk}/extend/", {"hours": 5}, format="json")

    assert response.status_code == 409
    assert response.data["code"] == "extension_refused"
    assert "latest_due_back_at" in response.data


def test_the_api_lists_the_extensions_open_to_the_drive(driving):
    response = api_for(driving.member).get(f"/api/v1/testdrives/{driving.pk}/extend/options/")

    assert response.status_code == 200
    assert response.data["possible"] is True
    assert [o["hours"] for o in response.data["hours"]] == list(range(1, 25))
    assert response.data["hours"][0]["fee_cny"] == 99


def test_another_members_drive_is_a_404(driving, basic_member, other_paint):
    api = api_for(basic_member)

    assert (
        api.post(f"/api/v1/testdrives/{driving.pk}/extend/", {"hours": 1}, format="json").status_code == 404
    )
    swap = {"model": other_paint.car_model.slug, "paint": other_paint.pk}
    assert api.post(f"/api/v1/testdrives/{driving.pk}/swap/", swap, format="json").status_code == 404


def test_the_api_swaps_once_and_refuses_the_same_model(driving, other_paint, paint):
    api = api_for(driving.member)
    url = f"/api/v1/testdrives/{driving.pk}/swap/"

    first = api.post(url, {"model": other_paint.car_model.slug, "paint": other_paint.pk}, format="json")
    again = api.post(url, {"model": other_paint.car_model.slug, "paint": other_paint.pk}, format="json")
    same = api.post(url, {"model": paint.car_model.slug, "paint": paint.pk}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.data["id"] == again.data["id"]
    assert first.data["swap_of"] == driving.pk
    assert first.data["state"] == "scheduled"
    assert first.data["pickup_code"]
    assert same.status_code == 409


def test_the_api_says_no_car_of_that_model_is_free(driving):
    paint = PaintFactory(car_model=CarModelFactory())

    response = api_for(driving.member).post(
        f"/api/v1/testdrives/{driving.pk}/swap/",
        {"model": paint.car_model.slug, "paint": paint.pk},
        format="json",
    )

    assert response.status_code == 409
    assert response.data["code"] == "no_car_left"


def test_the_schema_has_the_extend_and_swap_operations(client):
    schema = client.get("/api/schema/").content.decode()

    assert "/api/v1/testdrives/{id}/extend/" in schema
    assert "/api/v1/testdrives/{id}/extend/options/" in schema
    assert "/api/v1/testdrives/{id}/swap/" in schema


# --- portal ---------------------------------------------------------------------------------------


def test_the_drive_page_offers_extend_and_swap_while_on_the_road(client, driving):
    client.force_login(driving.member.user)

    page = client.get(reverse("testdrives:detail", args=[driving.pk])).content.decode()

    assert "data-extend" in page
    assert "data-swap" in page


def test_the_portal_extends_by_the_hours_picked(client, driving):
    client.force_login(driving.member.user)
    url = reverse("testdrives:extend", args=[driving.pk])
    page = client.get(url).content.decode()
    assert "data-extend-form" in page
    key = str(uuid.uuid4())

    response = client.post(url, {"hours": 6, "request_key": key})
    client.post(url, {"hours": 6, "request_key": key})  # a double click

    assert response.url == reverse("testdrives:detail", args=[driving.pk])
    driving.refresh_from_db()
    assert driving.due_back_at == DUE + timedelta(hours=6)


def test_the_portal_shows_why_it_cannot_extend(client, store, clock):
    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    VehicleFactory(store=store, car_model=car_model, paint=paint)
    first, second = make_member(score=760), make_member(score=760)
    td = on_the_road(
        testdrive_book(member=first, car_model=car_model, paint=paint, store=store, slot_start=TEN)
    )
    testdrive_book(
        member=second, car_model=car_model, paint=paint, store=store, slot_start=TEN + timedelta(hours=96)
    )
    # The next booking starts 96 h after 10:00: with the 12 h turnaround, the car must be back at
    # the first due time already.
    TestDrive.objects.filter(pk=td.pk).update(due_back_at=TEN + timedelta(hours=84))
    clock.move_to(TEN + timedelta(days=1))
    client.force_login(first.user)

    page = client.get(
        reverse("testdrives:extend", args=[td.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "data-extend-refused" in page
    assert "data-extend-form" not in page


def test_the_portal_books_a_swap_and_shows_its_pickup_code(client, driving, other_paint):
    client.force_login(driving.member.user)
    url = reverse("testdrives:swap", args=[driving.pk])
    assert f'value="{other_paint.pk}"' in client.get(url).content.decode()

    response = client.post(url, {"paint": other_paint.pk})

    new = TestDrive.objects.get(swap_of=driving)
    assert response.url == reverse("testdrives:detail", args=[new.pk])
    first_page = client.get(reverse("testdrives:detail", args=[driving.pk])).content.decode()
    assert "data-swap-pending" in first_page
    assert new.pickup_code in first_page
    assert "data-swapped-from" in client.get(response.url).content.decode()


def test_the_portal_pages_read_in_chinese(client, driving, other_paint):
    client.force_login(driving.member.user)
    client.cookies["django_language"] = "zh-hans"

    extend_page = client.get(reverse("testdrives:extend", args=[driving.pk])).content.decode()
    swap_page = client.get(reverse("testdrives:swap", args=[driving.pk])).content.decode()

    assert "延长" in extend_page
    assert "换" in swap_page


# --- kiosk ----------------------------------------------------------------------------------------


@pytest.fixture
def kiosk_client(client, store, staff, clock):
    clock.move_to(TEN)
    _kiosk, token = kiosk_create(store=store, name="Entrance", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    return client


def test_the_kiosk_goes_on_from_the_return_to_the_swapped_cars_pickup(
    kiosk_client, book, super_member, other_paint, staff, clock, django_capture_on_commit_callbacks
):
    td = book(super_member)
    kiosk_client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")
    kiosk_client.post(reverse("kiosk:open_gate", args=[td.pickup_code]))
    td.refresh_from_db()
    clock.move_to(TEN + timedelta(days=1))
    new = testdrive_swap(
        test_drive=td, member=super_member, car_model=other_paint.car_model, paint=other_paint
    )

    early = kiosk_client.post(reverse("kiosk:check_in"), {"code": new.pickup_code}, follow=True)
    assert "First return" in early.content.decode()

    returned = kiosk_client.post(
        reverse("kiosk:return"),
        {
            "return_code": td.return_code,
            "odometer_km": td.odometer_out_km + 40,
            "energy_pct": 70,
            "damage": "",
            **{side: side_png(side) for side in ("front", "back", "left", "right")},
        },
    ).content.decode()
    assert "data-swap-next" in returned
    assert new.pickup_code in returned

    response = kiosk_client.post(reverse("kiosk:check_in"), {"code": new.pickup_code})
    assert response.url == reverse("kiosk:drive", args=[new.pickup_code])
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=new, method="staff", by=staff, note="licence and ID card seen")
    kiosk_client.post(reverse("kiosk:open_gate", args=[new.pickup_code]))

    new.refresh_from_db()
    assert new.state == State.ON_DRIVE
    assert new.due_back_at == td.due_back_at


def test_the_timeline_shows_the_extension_and_the_swap(driving, other_paint):
    api = api_for(driving.member)
    api.post(f"/api/v1/testdrives/{driving.pk}/extend/", {"hours": 2}, format="json")
    api.post(
        f"/api/v1/testdrives/{driving.pk}/swap/",
        {"model": other_paint.car_model.slug, "paint": other_paint.pk},
        format="json",
    )

    timeline = api.get(f"/api/v1/testdrives/{driving.pk}/").data["timeline"]

    events = [row["event"] for row in timeline]
    assert "extended" in events
    assert "swap_booked" in events
    assert all(row["to"] is None for row in timeline if row["event"] in ("extended", "swap_booked"))
