"""Item 8 of issue 16: the catalogue cards, the model page and the booking page tell the same
truth about which cars can be had, because they read one selector (fleet.selectors).

A car counts when a whole test drive starting then (its window, 72 hours, the turnaround) fits
between its holds, so a car back in the tower but booked again tomorrow is not offered today.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from fleet.models import Bay, CarModel, Paint, Store, Vehicle, VehicleHold, VehicleStatus
from fleet.selectors import availability_by_store_paint, drive_hold_length
from testdrives.selectors import slot_list
from testdrives.services.booking import testdrive_book
from tests.fixtures.world import MORNING, TEN, make_member

pytestmark = pytest.mark.django_db

TOMORROW_TEN = TEN + timedelta(days=1)


def card_count(client: Client, car_model: CarModel) -> int:
    rows = client.get(reverse("api-carmodel-list")).json()["results"]
    return next(row["available_count"] for row in rows if row["slug"] == car_model.slug)


def model_page_row(client: Client, car_model: CarModel, store: Store) -> dict:
    body = client.get(reverse("api-carmodel-detail", args=[car_model.slug])).json()
    return next(row for row in body["availability"] if row["store"]["slug"] == store.slug)


def selector_count(car_model: CarModel, store: Store, paint: Paint, at=None) -> int:
    stores = availability_by_store_paint(car_model_ids=[car_model.pk], at=at)[car_model.pk]
    row = next(s for s in stores if s.store == store)
    return next(p.available for p in row.paints if p.paint == paint)


def book_as_new_member(store: Store, car_model: CarModel, paint: Paint, slot_start):
    return testdrive_book(
        member=make_member(score=760), car_model=car_model, paint=paint, store=store, slot_start=slot_start
    )


def test_a_car_booked_again_tomorrow_is_not_offered_for_a_drive_today(
    client: Client, clock, store: Store, car_model: CarModel, paint: Paint, cars: list[Vehicle]
) -> None:
    book_as_new_member(store, car_model, paint, TOMORROW_TEN)

    assert card_count(client, car_model) == 1
    assert model_page_row(client, car_model, store)["available"] == 1
    assert selector_count(car_model, store, paint) == 1
    # The booking page's first window today agrees with the selector asked about that window.
    first_window = slot_list(store=store, car_model=car_model, paint=paint, day=TEN.date())[0]
    assert first_window.starts_at == TEN
    assert first_window.cars_free == selector_count(car_model, store, paint, at=TEN) == 1


def test_when_every_car_is_promised_it_says_none_and_when_the_first_frees_up(
    client: Client, clock, store: Store, car_model: CarModel, paint: Paint, cars: list[Vehicle]
) -> None:
    book_as_new_member(store, car_model, paint, TOMORROW_TEN)
    book_as_new_member(store, car_model, paint, TEN + timedelta(hours=2))

    assert card_count(client, car_model) == 0
    row = model_page_row(client, car_model, store)
    assert row["available"] == 0
    first_end = min(VehicleHold.objects.values_list("ends_at", flat=True))
    assert parse_datetime(row["paints"][0]["next_free_at"]) == first_end
    assert parse_datetime(row["next_free_at"]) == first_end
    # From then on a whole drive fits on that car, and the booking page offers it too.
    assert selector_count(car_model, store, paint, at=first_end) == 1

    page = client.get(car_model.get_absolute_url()).content.decode()
    assert "free from" in page
    assert "None available right now" in page


def test_a_released_hold_frees_the_car_everywhere(
    client: Client, clock, store: Store, car_model: CarModel, paint: Paint, cars: list[Vehicle]
) -> None:
    td = book_as_new_member(store, car_model, paint, TEN)
    assert card_count(client, car_model) == 1
    VehicleHold.objects.filter(booking_id=td.pk).update(released_at=MORNING)
    assert card_count(client, car_model) == 2
    assert model_page_row(client, car_model, store)["available"] == 2


def test_a_car_behind_a_bay_out_of_service_is_offered_nowhere(
    client: Client, clock, store: Store, car_model: CarModel, paint: Paint, cars: list[Vehicle]
) -> None:
    Bay.objects.filter(pk=cars[0].bay_id).update(is_enabled=False)

    assert card_count(client, car_model) == 1
    assert model_page_row(client, car_model, store)["available"] == 1
    assert slot_list(store=store, car_model=car_model, paint=paint, day=TEN.date())[0].cars_free == 1


def test_a_car_out_on_a_drive_frees_up_when_its_hold_ends(
    client: Client, clock, store: Store, car_model: CarModel, paint: Paint, cars: list[Vehicle]
) -> None:
    td = book_as_new_member(store, car_model, paint, TEN)
    Vehicle.objects.filter(pk=td.vehicle_id).update(status=VehicleStatus.ON_DRIVE, bay=None)
    Vehicle.objects.exclude(pk=td.vehicle_id).update(status=VehicleStatus.SOLD, bay=None)

    row = model_page_row(client, car_model, store)
    hold = VehicleHold.objects.get(booking_id=td.pk)
    assert row["available"] == 0
    assert parse_datetime(row["next_free_at"]) == hold.ends_at
    assert hold.ends_at - hold.starts_at == drive_hold_length()


def test_the_breakdown_costs_three_queries_for_any_number_of_models(
    django_assert_num_queries, clock, store: Store, car_model: CarModel, cars: list[Vehicle]
) -> None:
    from tests.factories import CarModelFactory, PaintFactory, VehicleFactory

    with django_assert_num_queries(3):
        one = availability_by_store_paint(car_model_ids=[car_model.pk])
    others = [CarModelFactory() for _ in range(5)]
    for other in others:
        VehicleFactory(store=store, car_model=other, paint=PaintFactory(car_model=other))
    with django_assert_num_queries(3):
        many = availability_by_store_paint(car_model_ids=[car_model.pk, *(m.pk for m in others)])
    assert one[car_model.pk][0].available == many[car_model.pk][0].available == 2
    assert all(many[m.pk][0].available == 1 for m in others)
