"""Buying stays open for TESTDRIVE_BUY_AFTER_RETURN_DAYS after the return, whether or not staff
have reviewed it, at the price of the day; not after, and not once the car is another's."""

from datetime import timedelta

import pytest
from django.urls import reverse

from fleet.models import VehicleStatus
from testdrives.errors import TransitionRefused
from testdrives.models import State, TestDrive
from testdrives.services.lifecycle import testdrive_depart, testdrive_inspect, testdrive_return
from testdrives.services.purchase import testdrive_purchase
from tests.fixtures.world import TEN, make_member
from tests.returns_support import four_sides
from tests.testdrives.test_testdrive_lifecycle import to_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(book, super_member, kiosk, clock, django_capture_on_commit_callbacks) -> TestDrive:
    """A drive brought back at 12:00 on its second day."""
    td = to_ready(book(super_member), kiosk, django_capture_on_commit_callbacks)
    testdrive_depart(test_drive=td)
    td.refresh_from_db()
    clock.move_to(TEN + timedelta(days=1, hours=2))
    testdrive_return(test_drive=td, odometer_km=td.odometer_out_km + 90, energy_pct=60, sides=four_sides())
    return TestDrive.objects.get(pk=td.pk)


@pytest.fixture
def reviewed(returned, staff, django_capture_on_commit_callbacks) -> TestDrive:
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_inspect(test_drive=returned, by=staff, notes="clean")
    returned.refresh_from_db()
    assert returned.state == State.COMPLETED
    return returned


def test_it_sells_the_car_after_staff_reviewed_the_return(reviewed, super_member, clock, car_model):
    clock.move_to(reviewed.returned_at + timedelta(days=6, hours=23))
    car_model.msrp_cny = 190_000  # the price of the day
    car_model.save(update_fields=["msrp_cny"])

    order = testdrive_purchase(test_drive=reviewed, member=super_member, method="full")

    reviewed.refresh_from_db()
    assert reviewed.state == State.PURCHASED
    assert reviewed.vehicle.status == VehicleStatus.SOLD
    assert order.price_cny == 190_000


def test_it_refuses_once_the_period_after_the_return_is_over(reviewed, super_member, clock):
    clock.move_to(reviewed.returned_at + timedelta(days=7, seconds=1))

    with pytest.raises(TransitionRefused) as refused:
        testdrive_purchase(test_drive=reviewed, member=super_member, method="full")

    assert "7 days after its return" in str(refused.value.message)
    reviewed.refresh_from_db()
    assert reviewed.state == State.COMPLETED


def test_the_period_is_a_setting(returned, super_member, clock, settings):
    settings.TESTDRIVE_BUY_AFTER_RETURN_DAYS = 1
    clock.move_to(returned.returned_at + timedelta(days=1, seconds=1))

    with pytest.raises(TransitionRefused):
        testdrive_purchase(test_drive=returned, member=super_member, method="full")


def test_it_refuses_a_car_already_promised_to_the_next_booking(reviewed, super_member, book, clock):
    clock.move_to(reviewed.returned_at + timedelta(hours=1))
    reviewed.car_model.vehicles.exclude(pk=reviewed.vehicle_id).delete()  # the next booking takes ours
    nxt = book(make_member(score=760), slot_start=TEN + timedelta(days=2))
    assert nxt.vehicle_id == reviewed.vehicle_id

    with pytest.raises(TransitionRefused) as refused:
        testdrive_purchase(test_drive=reviewed, member=super_member, method="full")

    assert "promised to another customer" in str(refused.value.message)
    reviewed.refresh_from_db()
    assert reviewed.state == State.COMPLETED


def test_the_booking_page_offers_buying_after_the_review_and_says_until_when(client, reviewed, super_member):
    client.force_login(super_member.user)

    html = client.get(reverse("testdrives:detail", args=[reviewed.pk])).content.decode()

    assert "data-buy>" in html
    assert "data-buy-until" in html
    assert client.get(reverse("testdrives:buy", args=[reviewed.pk])).status_code == 200
