"""Pickup times measured from the transition log (``testdrives.selectors.pickup_times``) and the
``pickup_times`` command that prints them for comparison with the tower benchmark."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from testdrives.management.commands import pickup_times as pickup_times_command
from testdrives.models import Kiosk, TestDrive
from testdrives.selectors import PickupTimes, pickup_times
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_depart,
    testdrive_face_check_started,
    testdrive_identity_verified,
)
from tests.fixtures.world import make_member

pytestmark = pytest.mark.django_db


def pick_up(td: TestDrive, kiosk: Kiosk, clock, *, after_s: float, method: str = "face", by=None) -> None:
    """Check in now, be verified ``after_s`` seconds later (the instant tower then brings the car)."""
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    clock.shift(timedelta(seconds=after_s))
    if method == "face":
        testdrive_face_check_started(test_drive=td)
    testdrive_identity_verified(test_drive=td, method=method, by=by, note="licence and ID seen" if by else "")


def test_it_measures_check_in_to_verified_per_method(book, super_member, kiosk, staff, clock):
    pick_up(book(super_member), kiosk, clock, after_s=42)
    pick_up(book(make_member(score=760)), kiosk, clock, after_s=180, method="staff", by=staff)

    times = pickup_times(since=timezone.now() - timedelta(hours=1))

    assert times.check_in_to_verified_face == [42.0]
    assert times.check_in_to_verified_staff == [180.0]


def test_the_wait_after_verification_is_measured_to_ready(
    book, super_member, kiosk, clock, django_capture_on_commit_callbacks
):
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    testdrive_face_check_started(test_drive=td)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        testdrive_identity_verified(test_drive=td, method="face")  # the car is not in the bay yet
    clock.shift(timedelta(seconds=25))
    for callback in callbacks:  # the instant tower brings it now
        callback()

    assert TestDrive.objects.get(pk=td.pk).state == "ready"
    assert pickup_times(since=timezone.now() - timedelta(hours=1)).verified_to_ready == [25.0]


def test_a_pickup_checked_in_before_the_period_is_left_out(book, super_member, kiosk, clock):
    pick_up(book(super_member), kiosk, clock, after_s=30)
    clock.shift(timedelta(minutes=5))

    times = pickup_times(since=timezone.now())

    assert times == type(times)([], [], [])


def test_a_booking_checked_in_but_not_yet_verified_has_no_span(book, super_member, kiosk):
    testdrive_check_in(kiosk=kiosk, pickup_code=book(super_member).pickup_code)

    times = pickup_times(since=timezone.now() - timedelta(hours=1))

    assert times.check_in_to_verified_face == []
    assert times.verified_to_ready == []


def test_the_command_prints_each_store_and_refuses_an_unknown_one(book, super_member, kiosk, store, clock):
    pick_up(book(super_member), kiosk, clock, after_s=42)
    out = StringIO()

    call_command("pickup_times", "--days", "1", "--store", store.slug, stdout=out)

    text = out.getvalue()
    assert store.name in text
    assert "check-in → verified, face: 1 pickups, p50_s 42.0, p95_s 42.0, max_s 42.0" in text
    with pytest.raises(CommandError, match="no store"):
        call_command("pickup_times", "--store", "nowhere", stdout=StringIO())


def test_the_drive_out_is_measured_from_ready_to_the_car_leaving_its_bay(
    book, super_member, kiosk, clock, django_capture_on_commit_callbacks
):
    td = book(super_member)
    with django_capture_on_commit_callbacks(execute=True):
        pick_up(td, kiosk, clock, after_s=30)  # the instant tower brings the car at once
    assert TestDrive.objects.get(pk=td.pk).state == "ready"
    clock.shift(timedelta(seconds=47))
    testdrive_depart(test_drive=td)

    assert pickup_times(since=timezone.now() - timedelta(hours=1)).drive_out == [47.0]


def test_the_drive_in_is_measured_to_the_member_leaving_the_bay_and_a_gateless_return_left_out(
    book, super_member, kiosk, clock
):
    now = timezone.now()
    gated, gateless = book(super_member), book(make_member(score=760))
    TestDrive.objects.filter(pk=gated.pk).update(returned_at=now, bay_left_at=now + timedelta(seconds=38))
    TestDrive.objects.filter(pk=gateless.pk).update(returned_at=now, bay_left_at=now)

    assert pickup_times(since=now - timedelta(hours=1)).drive_in == [38.0]


def test_the_command_suggests_the_bay_benchmarks_drive_times_from_enough_pickups(store, monkeypatch):
    measured = PickupTimes(
        [], [], [], drive_out=[40.0 + n for n in range(20)], drive_in=[20.0 + n for n in range(20)]
    )
    monkeypatch.setattr(pickup_times_command, "pickup_times", lambda **kwargs: measured)
    out = StringIO()

    call_command("pickup_times", "--days", "1", "--store", store.slug, stdout=out)

    assert "drive-out (ready → left bay): 20 pickups" in out.getvalue()
    assert "drive-in (returned → left bay): 20 returns" in out.getvalue()
    assert "bench/tower_bays.py --drive-out-s 49 --drive-in-s 29" in out.getvalue()  # the medians
