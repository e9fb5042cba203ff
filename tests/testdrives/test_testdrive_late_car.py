"""A car that is not back keeps its hold: a later booking of it moves to another free car, or staff
are told when there is none."""

from datetime import timedelta

import pytest
from django.conf import settings

from fleet.models import VehicleHold
from testdrives.models import TestDrive
from testdrives.services.sweeps import testdrives_sweep
from tests.fixtures.world import TEN, make_member, on_the_road

pytestmark = pytest.mark.django_db


def test_a_later_booking_moves_to_the_other_car_when_the_first_is_very_late(book, clock, cars, mailoutbox):
    late = on_the_road(book(make_member(score=760)))
    following = book(make_member(score=760), slot_start=TEN + timedelta(days=5))
    TestDrive.objects.filter(pk=following.pk).update(vehicle=late.vehicle)
    VehicleHold.objects.filter(booking_id=following.pk).update(vehicle=late.vehicle)

    clock.move_to(late.due_back_at + timedelta(hours=38))  # the car is 38 h late; the next pickup is at 10:00
    result = testdrives_sweep()

    assert result["overdue"] == 1
    assert result["bookings_moved_off_late_cars"] == 1
    following.refresh_from_db()
    assert following.vehicle != late.vehicle
    assert VehicleHold.objects.get(booking_id=following.pk).vehicle == following.vehicle
    late_hold = VehicleHold.objects.get(booking_id=late.pk)
    assert late_hold.ends_at >= late.due_back_at + timedelta(hours=38 + settings.TESTDRIVE_TURNAROUND_HOURS)


def test_staff_are_told_when_no_other_car_can_take_the_later_booking(
    book, clock, cars, mailoutbox, django_capture_on_commit_callbacks
):
    late = on_the_road(book(make_member(score=760)))
    following = book(make_member(score=760), slot_start=TEN + timedelta(days=5))
    TestDrive.objects.filter(pk=following.pk).update(vehicle=late.vehicle)
    VehicleHold.objects.filter(booking_id=following.pk).update(vehicle=late.vehicle)
    other = next(car for car in cars if car != late.vehicle)
    other.status = "maintenance"
    other.bay = None
    other.save()

    clock.move_to(late.due_back_at + timedelta(hours=38))
    with django_capture_on_commit_callbacks(execute=True):
        testdrives_sweep()

    following.refresh_from_db()
    assert following.vehicle == late.vehicle  # unchanged: staff decide
    assert any("no other car is free" in mail.subject for mail in mailoutbox)
    late_hold = VehicleHold.objects.get(booking_id=late.pk)
    assert late_hold.ends_at <= VehicleHold.objects.get(booking_id=following.pk).starts_at


def test_a_car_only_a_little_late_changes_no_other_booking(book, clock, cars):
    late = on_the_road(book(make_member(score=760)))
    following = book(make_member(score=760), slot_start=TEN + timedelta(days=5))
    vehicle_before = following.vehicle_id

    clock.move_to(late.due_back_at + timedelta(hours=1))
    assert testdrives_sweep()["bookings_moved_off_late_cars"] == 0

    following.refresh_from_db()
    assert following.vehicle_id == vehicle_before
