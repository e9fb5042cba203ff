"""The kiosk, the booking page and the texts tell the member the return code, how to return the
car and where the store is, in the language's own formats (issue 15 item 8)."""

import pytest
from django.urls import reverse

from testdrives.models import Notification, NotificationKind
from testdrives.notify import notification_text
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in, testdrive_depart, testdrive_identity_verified
from tests.fixtures.world import TEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_kiosk(client, book, super_member, store, staff, clock, django_capture_on_commit_callbacks):
    """A booking whose car waits in the bay, and a kiosk signed in to follow it."""
    td = book(super_member)
    clock.move_to(TEN)
    kiosk, token = kiosk_create(store=store, name="Entrance", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="ID seen")
    td.refresh_from_db()
    return td


def status(client, td) -> str:
    return client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true").content.decode()


def test_the_bay_screen_does_not_start_the_clock_before_the_gate_opens(client, at_kiosk):
    html = status(client, at_kiosk)

    assert 'data-state="ready"' in html
    assert "start now" not in html
    assert "start when the gate opens" in html


def test_the_kiosk_gives_the_return_code_instructions_and_address_once_on_the_road(client, at_kiosk, store):
    testdrive_depart(test_drive=at_kiosk)
    at_kiosk.refresh_from_db()

    html = status(client, at_kiosk)

    assert f"data-return-code>{at_kiosk.return_code}<" in html
    assert "data-return-instructions" in html
    assert store.display_address in html


def test_the_booking_page_gives_the_address_and_on_the_road_the_return_instructions(
    client, at_kiosk, super_member, store
):
    client.force_login(super_member.user)
    testdrive_depart(test_drive=at_kiosk)

    html = client.get(reverse("testdrives:detail", args=[at_kiosk.pk])).content.decode()

    assert "data-return-instructions" in html
    assert "data-store-address" in html
    assert store.display_address in html


def test_texts_carry_the_address_and_the_languages_date_format(book, super_member, store):
    td = book(super_member)
    note = Notification.objects.get(test_drive=td, kind=NotificationKind.BOOKED)

    _, english = notification_text(note, language="en")
    _, chinese = notification_text(note, language="zh-hans")

    assert "1 Dec 2026, 10:00" in english
    assert store.address in english
    assert "2026年12月1日 10:00" in chinese
    assert store.address_zh in chinese
    assert "a.m." not in english
