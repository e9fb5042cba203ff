"""Reminders carry what the member needs, in their language, by e-mail and SMS, once per booking
and kind (the unique row), queued by the beat sweep; the clock is frozen and moved."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction

from testdrives.models import Notification, TestDrive
from testdrives.services.sweeps import testdrives_sweep
from tests.fixtures.world import MORNING, TEN, make_member, on_the_road

pytestmark = pytest.mark.django_db

TOMORROW_TEN = TEN + timedelta(days=1)
EVE = MORNING.replace(hour=settings.TESTDRIVE_REMINDER_EVE_HOUR)


@pytest.fixture
def english_member(clock):
    return make_member(score=760, preferred_language="en")


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the beat's sweep as the worker would: what it queues after commit runs too."""

    def _sweep() -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return testdrives_sweep()

    return _sweep


@pytest.fixture
def sms(caplog):
    caplog.set_level(logging.INFO, logger="vendingstore.sms")
    return lambda: [r.getMessage() for r in caplog.records if r.getMessage().startswith("SMS to")]


def test_the_evening_before_it_reminds_of_tomorrows_window_code_and_address(
    book, english_member, clock, sweep, mailoutbox, sms, store
):
    td = book(english_member, slot_start=TOMORROW_TEN)
    mailoutbox.clear()

    clock.move_to(EVE - timedelta(seconds=1))
    assert sweep()["pickup_tomorrow"] == 0
    clock.move_to(EVE)
    assert sweep()["pickup_tomorrow"] == 1
    assert sweep()["pickup_tomorrow"] == 0

    assert Notification.objects.filter(test_drive=td, kind="tomorrow").count() == 1
    [mail] = [m for m in mailoutbox if m.subject == "Pickup tomorrow"]
    for needed in (td.pickup_code, "2 Dec 2026, 10:00", "10:15", store.address, store.display_name):
        assert needed in mail.body
    assert any(td.pickup_code in text and store.address in text and "Tomorrow" in text for text in sms())


def test_a_booking_made_that_evening_gets_no_second_message(book, english_member, clock, sweep):
    clock.move_to(EVE + timedelta(hours=1))
    td = book(english_member, slot_start=TOMORROW_TEN)

    assert sweep()["pickup_tomorrow"] == 0
    assert not Notification.objects.filter(test_drive=td, kind="tomorrow").exists()


def test_the_reminder_is_in_the_members_language(book, clock, sweep, mailoutbox, store):
    member = make_member(score=760, preferred_language="zh-hans")
    td = book(member, slot_start=TOMORROW_TEN)
    mailoutbox.clear()
    clock.move_to(EVE)

    sweep()

    [mail] = [m for m in mailoutbox if m.subject == "明天取车"]
    assert "明天" in mail.body
    assert store.address_zh in mail.body
    assert "2026年12月2日 10:00" in mail.body
    assert td.pickup_code in mail.body


def test_three_hours_before_due_it_says_where_to_return_the_return_code_and_the_late_fee(
    book, english_member, clock, sweep, mailoutbox, sms, store
):
    td = on_the_road(book(english_member))
    TestDrive.objects.filter(pk=td.pk).update(return_code="RET777")
    mailoutbox.clear()

    clock.move_to(td.due_back_at - timedelta(hours=3, seconds=1))
    sweep()
    assert not Notification.objects.filter(kind="due_soon").exists()
    clock.move_to(td.due_back_at - timedelta(hours=3))
    sweep()
    sweep()

    assert Notification.objects.filter(test_drive=td, kind="due_soon").count() == 1
    [mail] = [m for m in mailoutbox if m.subject == "Due back soon"]
    for needed in ("RET777", store.address, "delivery bay", "¥50 per started hour", "30 minutes", "¥1,000"):
        assert needed in mail.body
    assert any("RET777" in text for text in sms())


def test_overdue_says_so_once_with_the_return_code_and_the_late_fee(
    book, english_member, clock, sweep, mailoutbox, store
):
    td = on_the_road(book(english_member))
    TestDrive.objects.filter(pk=td.pk).update(return_code="RET777")
    clock.move_to(td.due_back_at + timedelta(minutes=settings.TESTDRIVE_GRACE_MINUTES))
    mailoutbox.clear()

    assert sweep()["overdue"] == 1
    assert sweep()["overdue"] == 0

    [mail] = [m for m in mailoutbox if m.subject == "Overdue"]
    for needed in ("RET777", store.address, "late fee", "was due back at 4 Dec 2026, 10:00"):
        assert needed in mail.body


def test_the_database_refuses_a_second_message_of_a_kind(book, english_member, clock):
    td = book(english_member, slot_start=TOMORROW_TEN)
    Notification.objects.create(member=english_member, test_drive=td, kind="tomorrow")

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(member=english_member, test_drive=td, kind="tomorrow")


def test_the_sweep_is_on_the_beat_schedule():
    schedule = settings.CELERY_BEAT_SCHEDULE["testdrives-sweep"]

    assert schedule["task"] == "testdrives.tasks.testdrives_sweep"
    assert schedule["schedule"] <= 60
