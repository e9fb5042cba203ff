"""Each car's own record at purchase: odometer, build date, how often it was test-driven, what was
noted at its returns and staff's photos; shown on the buy page and in the API, and the purchase is
of that car (a different VIN is refused before anything is charged)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from fleet.models import VehiclePhoto
from testdrives.errors import TransitionRefused
from testdrives.models import PurchaseOrder, TestDrive
from testdrives.services.lifecycle import testdrive_depart, testdrive_inspect, testdrive_return
from testdrives.services.purchase import testdrive_purchase
from testdrives.vehicle_record import vehicle_record_get
from tests.fixtures.world import TEN
from tests.returns_support import four_sides
from tests.testdrives.test_testdrive_lifecycle import to_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(book, super_member, kiosk, clock, staff, django_capture_on_commit_callbacks) -> TestDrive:
    """A drive brought back with a scratch noted, and inspected by staff."""
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    td.refresh_from_db()
    clock.move_to(TEN + timedelta(days=1, hours=2))
    testdrive_return(
        test_drive=td,
        odometer_km=td.odometer_out_km + 672,
        energy_pct=60,
        damage="Scratch on the rear bumper",
        sides=four_sides(),
    )
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_inspect(test_drive=td, by=staff, notes="Bumper polished")
    return TestDrive.objects.select_related("vehicle").get(pk=td.pk)


def test_a_new_car_says_so(cars):
    car = cars[0]
    car.odometer_km = 12
    car.save()

    record = vehicle_record_get(vehicle_id=car.pk)

    assert record.is_new
    assert record.test_drives == 0


def test_a_test_driven_car_is_not_new_and_carries_its_notes(returned):
    VehiclePhoto.objects.create(vehicle=returned.vehicle, image="vehicles/scratch.jpg", caption="Rear bumper")
    returned.vehicle.built_on = date(2025, 10, 3)
    returned.vehicle.save()

    record = vehicle_record_get(vehicle_id=returned.vehicle_id)

    assert not record.is_new
    assert record.test_drives == 1
    assert record.odometer_km == returned.odometer_in_km == 792
    assert record.built_on == date(2025, 10, 3)
    assert [(n.damage_noted, n.inspection_notes) for n in record.notes] == [
        ("Scratch on the rear bumper", "Bumper polished")
    ]
    assert [p.caption for p in record.photos] == ["Rear bumper"]


def test_the_record_costs_three_queries_however_many_drives(returned):
    with CaptureQueriesContext(connection) as ctx:
        vehicle_record_get(vehicle_id=returned.vehicle_id)

    assert len(ctx.captured_queries) == 3


def test_the_buy_page_shows_the_cars_record(returned, super_member, client):
    client.force_login(super_member.user)

    body = client.get(reverse("testdrives:buy", args=[returned.pk])).content.decode()

    assert "data-vehicle-record" in body
    assert "792" in body
    assert "Scratch on the rear bumper" in body
    assert f'value="{returned.vehicle.vin}"' in body  # the car the form buys


def test_the_purchase_is_of_the_car_shown(returned, super_member):
    order = testdrive_purchase(
        test_drive=returned, member=super_member, method="full", vin=returned.vehicle.vin.lower()
    )

    assert order.vehicle_id == returned.vehicle_id


def test_another_vin_is_refused_before_charging(returned, super_member, cars):
    other = next(car for car in cars if car.pk != returned.vehicle_id)

    with pytest.raises(TransitionRefused, match="not the car"):
        testdrive_purchase(test_drive=returned, member=super_member, method="full", vin=other.vin)

    assert not PurchaseOrder.objects.exists()
    assert not returned.payments.filter(purpose="purchase").exists()


def test_the_api_gives_the_record_and_buys_that_car(returned, super_member):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=super_member.user)[1]}")

    record = api.get(f"/api/v1/testdrives/{returned.pk}/car/").json()
    bought = api.post(
        f"/api/v1/testdrives/{returned.pk}/purchase/", {"method": "full", "vin": record["vin"]}, format="json"
    )

    assert record["is_new"] is False
    assert record["test_drives"] == 1
    assert record["odometer_km"] == 792
    assert record["notes"][0]["damage_noted"] == "Scratch on the rear bumper"
    assert bought.status_code == 201
    assert bought.json()["vin"] == returned.vehicle.vin


def test_the_api_refuses_another_members_car(returned, basic_member):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=basic_member.user)[1]}")

    assert api.get(f"/api/v1/testdrives/{returned.pk}/car/").status_code == 404
