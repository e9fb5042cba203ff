"""'I'm at the store' (testdrives.services.arrival): recorded once in the check-in window,
refused when the kiosk would refuse the member, counted for the car's tower until check-in or
until it lapses; the phone API and the follow page's button, owner-only; the member's timeline."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from testdrives.errors import PaymentFailed, TransitionRefused
from testdrives.follow import testdrive_follow
from testdrives.models import State, TestDrive
from testdrives.selectors import testdrive_journey, tower_arrivals_expected
from testdrives.services.arrival import testdrive_announce_arrival
from testdrives.services.lifecycle import testdrive_check_in
from tests.fixtures.world import TEN, make_member
from tests.testdrives.test_api import api_for
from tower.sender import arrivals_expected

pytestmark = pytest.mark.django_db

OPENS = TEN - timedelta(minutes=30)  # TESTDRIVE_CHECK_IN_EARLY_MINUTES before the 10:00 window


def announce(td: TestDrive) -> TestDrive:
    return testdrive_announce_arrival(test_drive=td, now=timezone.now())


def test_it_records_when_the_member_said_they_are_here_and_a_second_tap_changes_nothing(
    book, super_member, clock
):
    td = book(super_member)
    clock.move_to(TEN - timedelta(minutes=2))

    first = announce(td)
    clock.move_to(TEN - timedelta(minutes=1))
    second = announce(td)

    assert first.arriving_at == second.arriving_at == TEN - timedelta(minutes=2)
    assert TestDrive.objects.get(pk=td.pk).state == State.SCHEDULED  # a heads-up, not a step


def test_a_tap_after_the_announcement_lapsed_renews_it(book, super_member, clock, settings):
    td = book(super_member)
    clock.move_to(OPENS)
    announce(td)
    later = OPENS + timedelta(minutes=settings.TESTDRIVE_ARRIVAL_VALID_MINUTES)
    clock.move_to(later)

    assert announce(td).arriving_at == later


def test_it_is_refused_before_check_in_opens_after_the_window_and_once_checked_in(
    book, super_member, kiosk, clock
):
    td = book(super_member)
    clock.move_to(OPENS - timedelta(seconds=1))
    with pytest.raises(TransitionRefused, match="check-in opens"):
        announce(td)

    clock.move_to(TEN + timedelta(minutes=1))
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    with pytest.raises(TransitionRefused):
        announce(td)
    assert TestDrive.objects.get(pk=td.pk).arriving_at is None


def test_it_is_refused_after_the_window_ends(book, super_member, clock):
    td = book(super_member)
    clock.move_to(td.slot_end + timedelta(seconds=1))

    with pytest.raises(TransitionRefused, match="window has ended"):
        announce(td)


def test_it_is_refused_with_the_fee_unpaid_as_the_kiosk_would(book, basic_member, clock):
    td = book(basic_member)
    clock.move_to(TEN)

    with pytest.raises(PaymentFailed):
        announce(td)
    assert TestDrive.objects.get(pk=td.pk).arriving_at is None


def test_the_tower_counts_the_announced_members_until_check_in_or_until_it_lapses(
    book, super_member, kiosk, clock, tower, settings
):
    td = book(super_member)
    other = book(make_member(score=760))
    assert tower_arrivals_expected(tower=tower, now=timezone.now()) == []

    announce(td)
    announce(other)
    # Through the setting's hook: one car per expected customer.
    assert sorted(arrivals_expected(tower=tower, now=timezone.now())) == sorted(
        [td.vehicle_id, other.vehicle_id]
    )

    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)
    assert tower_arrivals_expected(tower=tower, now=timezone.now()) == [other.vehicle_id]
    lapsed = timezone.now() + timedelta(minutes=settings.TESTDRIVE_ARRIVAL_VALID_MINUTES)
    assert tower_arrivals_expected(tower=tower, now=lapsed) == []


def test_the_api_announces_returns_the_status_and_is_the_owners_only(book, super_member, clock):
    td = book(super_member)
    url = reverse("api-testdrive-arriving", args=[td.pk])
    clock.move_to(TEN - timedelta(minutes=1))

    assert api_for(make_member(score=760)).post(url).status_code == 404
    answer = api_for(super_member).post(url)
    again = api_for(super_member).post(url)

    assert answer.status_code == again.status_code == 200
    assert answer.json()["arrival_announced"] is True
    assert answer.json()["can_announce_arrival"] is True
    assert TestDrive.objects.get(pk=td.pk).arriving_at == TEN - timedelta(minutes=1)


def test_the_api_says_why_it_refuses(book, super_member, clock):
    td = book(super_member)

    answer = api_for(super_member).post(reverse("api-testdrive-arriving", args=[td.pk]))

    assert answer.status_code == 409
    assert answer.json()["code"] == "not_allowed_now"
    assert "check-in opens" in answer.json()["detail"]


def test_the_follow_page_offers_the_button_in_the_window_and_thanks_after_it(
    client, book, super_member, clock
):
    td = book(super_member)
    client.force_login(super_member.user)
    page = reverse("testdrives:follow", args=[td.pk])
    assert "data-arrive" not in client.get(page).content.decode()  # 09:00: check-in not open yet

    clock.move_to(TEN - timedelta(minutes=3))
    assert "I'm at the store — get my car ready" in client.get(page).content.decode()
    answer = client.post(reverse("testdrives:arriving", args=[td.pk]), follow=True)

    body = answer.content.decode()
    assert "data-arriving" in body
    assert "data-arrive>" not in body
    assert "Check in at the kiosk with your pickup code" in body


def test_the_follow_page_button_is_the_owners_only_and_post_only(client, book, super_member, clock):
    td = book(super_member)
    clock.move_to(TEN)
    url = reverse("testdrives:arriving", args=[td.pk])
    client.force_login(make_member(score=760).user)

    assert client.post(url).status_code == 404
    client.force_login(super_member.user)
    assert client.get(url).status_code == 405
    assert TestDrive.objects.get(pk=td.pk).arriving_at is None


def test_a_refusal_on_the_page_is_a_message_not_an_error(client, book, super_member, clock):
    td = book(super_member)
    client.force_login(super_member.user)

    answer = client.post(reverse("testdrives:arriving", args=[td.pk]), follow=True)

    assert answer.status_code == 200
    assert "check-in opens" in answer.content.decode()


def test_the_members_timeline_shows_the_announcement(book, super_member, clock):
    td = book(super_member)
    clock.move_to(TEN - timedelta(minutes=2))
    announce(td)

    events = [e.event for e in testdrive_journey(test_drive=TestDrive.objects.get(pk=td.pk))]

    assert events[-1] == "arriving"
    assert testdrive_follow(test_drive=TestDrive.objects.get(pk=td.pk), now=timezone.now()).arrival_announced


def test_the_button_and_the_refusal_speak_chinese(client, book, super_member, clock):
    td = book(super_member)
    client.cookies["django_language"] = "zh-hans"
    client.force_login(super_member.user)

    refused = client.post(reverse("testdrives:arriving", args=[td.pk]), follow=True).content.decode()
    clock.move_to(TEN - timedelta(minutes=3))
    page = client.get(reverse("testdrives:follow", args=[td.pk])).content.decode()

    assert "签到开放后再告诉我们您已到店" in refused
    assert "我已到店——请准备我的车" in page
    assert "get my car ready" not in page
