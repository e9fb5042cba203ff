"""The member's timeline: one row per meaningful event (booked, the fee paid, each state once),
the same list in the portal and the API, the booking answer included."""

import re

import pytest
from django.urls import reverse

from testdrives.selectors import testdrive_journey
from testdrives.services.booking import testdrive_pay_fee
from testdrives.services.lifecycle import (
    testdrive_check_in,
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
)
from tests.testdrives.test_api import api_for, booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def retried(book, basic_member, kiosk, django_capture_on_commit_callbacks):
    """A fee-paying booking whose face check failed three times before it passed."""
    td = book(basic_member)
    testdrive_pay_fee(test_drive=td)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    for failures in range(1, 4):
        testdrive_face_check_started(test_drive=td)
        td = testdrive_face_check_failed(test_drive=td, failures=failures, reason="no match")
    testdrive_face_check_started(test_drive=td)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="face")
    return td


def test_it_tells_each_event_once_and_says_paid(retried):
    events = [e.event for e in testdrive_journey(test_drive=retried)]

    assert events == ["booked", "paid", "checked_in", "verifying", "verified", "dispatching", "ready"]


def test_the_portal_and_the_api_show_the_same_list(client, retried, basic_member):
    client.force_login(basic_member.user)

    html = client.get(reverse("testdrives:detail", args=[retried.pk])).content.decode()
    portal = re.findall(r'data-event="([a-z_]+)"', html)
    api = api_for(basic_member).get(f"/api/v1/testdrives/{retried.pk}/").data["timeline"]

    assert portal == [row["event"] for row in api]
    assert portal.count("checked_in") == 1
    assert "Test-drive fee paid" in html
    assert api[1] == {**api[1], "event": "paid", "to": None}


def test_the_booking_answer_has_its_timeline(car_model, paint, store, cars, super_member, clock):
    response = api_for(super_member).post(
        "/api/v1/testdrives/", booking(car_model, paint, store), format="json"
    )

    assert response.status_code == 201
    assert [row["event"] for row in response.data["timeline"]] == ["booked"]
