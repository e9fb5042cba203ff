"""The booking's calendar file is valid RFC 5545: an independent parser (icalendar) reads both
events back with their times, UIDs and text; lines are folded at 75 octets and text is escaped."""

from datetime import UTC, timedelta

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from testdrives.ics import ics_escape, ics_fold, testdrive_calendar
from testdrives.models import State, TestDrive
from tests.fixtures.world import TEN, on_the_road
from tests.testdrives.test_api import api_for

pytestmark = pytest.mark.django_db


def parse(text: str) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(text)
    return list(calendar.walk("VEVENT"))


def test_it_has_the_pickup_window_and_the_return_due_time(book, super_member, clock):
    td = on_the_road(book(super_member))

    pickup, back = parse(testdrive_calendar(test_drive=td, now=timezone.now()))

    assert str(pickup["UID"]) == f"testdrive-{td.pk}-pickup@vendingstore.example"
    assert pickup.decoded("DTSTART") == TEN.astimezone(UTC)
    assert pickup.decoded("DTEND") == td.slot_end.astimezone(UTC)
    assert td.pickup_code in str(pickup["DESCRIPTION"])
    assert td.store.address in str(pickup["LOCATION"])
    assert pickup.decoded("DTSTAMP") == timezone.now().astimezone(UTC)
    assert str(back["UID"]) == f"testdrive-{td.pk}-return@vendingstore.example"
    assert back.decoded("DTEND") == td.due_back_at.astimezone(UTC)
    assert "late fee" in str(back["DESCRIPTION"])
    assert len(back.walk("VALARM")) == 1


def test_before_the_drive_the_due_time_is_the_latest_possible(book, super_member, clock, settings):
    td = book(super_member)

    _, back = parse(testdrive_calendar(test_drive=td, now=timezone.now()))

    assert back.decoded("DTEND") == (td.slot_end + timedelta(hours=settings.TEST_DRIVE_HOURS)).astimezone(UTC)
    assert "estimate" in str(back["DESCRIPTION"])


def test_chinese_text_is_folded_at_75_octets_and_reads_back_whole(book, super_member, clock):
    td = book(super_member)
    with translation.override("zh-hans"):
        text = testdrive_calendar(test_drive=td, now=timezone.now())

    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # something was long enough to fold
    pickup, _ = parse(text)
    assert td.store.address_zh in str(pickup["LOCATION"])
    assert td.pickup_code in str(pickup["DESCRIPTION"])


def test_text_is_escaped():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ics_fold("DESCRIPTION:" + "é" * 80)
    assert all(len(piece.encode()) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "DESCRIPTION:" + "é" * 80


def test_an_address_with_commas_and_semicolons_reads_back(book, super_member, clock, store):
    store.address = "Gate 3; Lane 5, 88 Long Road"
    store.save()
    td = book(super_member)

    pickup, _ = parse(testdrive_calendar(test_drive=TestDrive.objects.get(pk=td.pk), now=timezone.now()))

    assert "Gate 3; Lane 5, 88 Long Road" in str(pickup["LOCATION"])


def test_a_cancelled_booking_cancels_its_events(book, super_member, clock):
    td = book(super_member)
    TestDrive.objects.filter(pk=td.pk).update(state=State.CANCELLED)

    events = parse(testdrive_calendar(test_drive=TestDrive.objects.get(pk=td.pk), now=timezone.now()))

    assert [str(e["STATUS"]) for e in events] == ["CANCELLED", "CANCELLED"]


def test_the_portal_and_the_api_serve_it_as_a_calendar_download(client, book, super_member, clock):
    td = book(super_member)
    client.force_login(super_member.user)

    page = client.get(reverse("testdrives:calendar", args=[td.pk]))
    api = api_for(super_member).get(f"/api/v1/testdrives/{td.pk}/calendar.ics")

    for response in (page, api):
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
        assert len(parse(response.content.decode())) == 2
