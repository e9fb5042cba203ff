"""The beat sweeps at their time boundaries, with a frozen clock; each run twice changes once."""

from datetime import timedelta

import pytest
from django.conf import settings

from fleet.models import VehicleHold
from testdrives.models import Notification, Payment, PickupWindow, State
from testdrives.services.sweeps import testdrives_sweep
from tests.fixtures.world import TEN, on_the_road

pytestmark = pytest.mark.django_db


def test_a_booking_is_a_no_show_exactly_when_its_window_ends(book, super_member, clock):
    td = book(super_member)

    clock.move_to(td.slot_end - timedelta(seconds=1))
    assert testdrives_sweep()["no_shows"] == 0
    clock.move_to(td.slot_end)
    assert testdrives_sweep()["no_shows"] == 1
    assert testdrives_sweep()["no_shows"] == 0

    td.refresh_from_db()
    assert td.state == State.NO_SHOW
    assert VehicleHold.objects.get(booking_id=td.pk).released_at is not None


def test_a_car_is_overdue_after_the_due_time_and_the_grace_period(book, super_member, clock, mailoutbox):
    td = on_the_road(book(super_member))
    grace = timedelta(minutes=settings.TESTDRIVE_GRACE_MINUTES)

    clock.move_to(td.due_back_at + grace - timedelta(seconds=1))
    assert testdrives_sweep()["overdue"] == 0
    clock.move_to(td.due_back_at + grace)
    assert testdrives_sweep()["overdue"] == 1
    assert testdrives_sweep()["overdue"] == 0

    td.refresh_from_db()
    assert td.state == State.OVERDUE
    assert Notification.objects.filter(test_drive=td, kind="overdue").count() == 1


def test_reminders_go_out_once_before_the_window_and_before_the_due_time(book, super_member, clock):
    td = book(super_member)
    before = timedelta(minutes=settings.TESTDRIVE_REMINDER_BEFORE_SLOT_MINUTES)

    clock.move_to(TEN - before - timedelta(seconds=1))
    testdrives_sweep()
    assert not Notification.objects.filter(kind="reminder").exists()
    clock.move_to(TEN - before)
    testdrives_sweep()
    testdrives_sweep()
    assert Notification.objects.filter(test_drive=td, kind="reminder").count() == 1

    td = on_the_road(td)
    clock.move_to(td.due_back_at - timedelta(hours=settings.TESTDRIVE_DUE_SOON_HOURS))
    testdrives_sweep()
    testdrives_sweep()
    assert Notification.objects.filter(test_drive=td, kind="due_soon").count() == 1


def test_an_unpaid_fee_booking_is_cancelled_when_its_payment_time_runs_out(book, basic_member, clock):
    td = book(basic_member)
    payment = Payment.objects.get(test_drive=td)

    clock.move_to(payment.expires_at - timedelta(seconds=1))
    assert testdrives_sweep()["expired_payments"] == 0
    clock.move_to(payment.expires_at)
    assert testdrives_sweep()["expired_payments"] == 1
    assert testdrives_sweep()["expired_payments"] == 0

    td.refresh_from_db()
    payment.refresh_from_db()
    assert td.state == State.CANCELLED
    assert payment.status == "expired"
    assert VehicleHold.objects.get(booking_id=td.pk).released_at is not None
    assert PickupWindow.objects.get(store=td.store, starts_at=TEN).booked == 0
    assert Notification.objects.filter(test_drive=td, kind="cancelled").count() == 1


def test_a_notification_whose_message_was_lost_is_sent_by_the_sweep(
    book, super_member, clock, mailoutbox, settings
):
    settings.TESTDRIVE_REMINDER_BEFORE_SLOT_MINUTES = 30  # no reminder due in this test's minutes
    td = book(super_member)  # "booked" recorded; its task never ran (as with a broker down)
    assert Notification.objects.get(test_drive=td, kind="booked").delivered_at is None

    clock.shift(timedelta(minutes=1))
    assert testdrives_sweep()["requeued"] == 0  # maybe only slow: not yet
    clock.shift(timedelta(minutes=2))
    assert testdrives_sweep()["requeued"] == 1

    assert Notification.objects.get(test_drive=td, kind="booked").delivered_at is not None
    assert len(mailoutbox) == 1
    assert testdrives_sweep()["requeued"] == 0
