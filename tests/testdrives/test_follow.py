"""Following a booking: the read (steps, ETA, bay, time left, codes, store, polling), the page
(owner-only, htmx fragment that stops asking once nothing can change) and the status API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from testdrives.follow import POLL_AT_STORE_SECONDS, POLL_ON_ROAD_SECONDS, testdrive_follow
from testdrives.models import State, TestDrive
from testdrives.services.tower_moves import testdrive_ref
from tests.fixtures.world import MORNING, TEN, make_member, on_the_road
from tests.testdrives.test_api import api_for
from tower.models import CommandKind, CommandStatus, TowerCommand

pytestmark = pytest.mark.django_db


def follow(td: TestDrive):
    return testdrive_follow(test_drive=TestDrive.objects.get(pk=td.pk), now=timezone.now())


def in_state(td: TestDrive, state: str) -> TestDrive:
    TestDrive.objects.filter(pk=td.pk).update(state=state)
    return TestDrive.objects.get(pk=td.pk)


def test_a_booking_days_ahead_shows_its_pickup_code_and_does_not_poll(book, super_member, clock):
    td = book(super_member, slot_start=TEN + timedelta(days=2))

    status = follow(td)

    assert status.pickup_code == td.pickup_code
    assert status.return_code is None
    assert [s.status for s in status.steps][:2] == ["current", "todo"]
    assert status.poll_seconds is None
    assert status.store == td.store
    assert len(status.opening_hours) == 7
    assert status.opening_hours[0].opens.hour == 10
    assert "uri.amap.com" in status.map_url
    assert "%E6%B5%8B%E8%AF%95" in status.map_url


def test_it_polls_from_when_check_in_opens(book, super_member, clock):
    td = book(super_member)
    clock.move_to(TEN - timedelta(minutes=30))

    assert follow(td).poll_seconds == POLL_AT_STORE_SECONDS


def test_a_car_on_its_way_shows_the_towers_eta_and_bay(book, super_member, clock, store):
    td = in_state(book(super_member), State.DISPATCHING)
    delivery = store.towers.get().bays.get(kind="delivery", position=1)
    TowerCommand.objects.create(
        tower=delivery.tower,
        kind=CommandKind.RETRIEVE,
        vehicle=td.vehicle,
        vin=td.vehicle.vin,
        source_bay=td.vehicle.bay,
        target_bay=delivery,
        ref=testdrive_ref(td.pk),
        status=CommandStatus.RUNNING,
        estimate_s=95,
        started_at=timezone.now() - timedelta(seconds=20),
    )

    status = follow(td)

    assert status.eta_source == "tower"
    assert status.eta_seconds == 75
    assert status.bay == "D1"
    assert "D1" in status.headline
    assert [s.key for s in status.steps if s.status == "current"] == ["on_its_way"]
    assert status.poll_seconds == POLL_AT_STORE_SECONDS


def test_without_a_tower_command_the_eta_is_the_physics_estimate(book, super_member, clock):
    td = in_state(book(super_member), State.DISPATCHING)

    status = follow(td)

    assert status.eta_source == "estimate"
    assert status.eta_seconds
    assert status.eta_seconds > 0


def test_on_the_road_it_counts_down_the_72_hours_with_the_return_code(book, super_member, clock):
    td = on_the_road(book(super_member))
    TestDrive.objects.filter(pk=td.pk).update(return_code="RET123")
    clock.move_to(TEN + timedelta(hours=18))

    status = follow(td)

    assert status.seconds_left == 54 * 3600
    assert status.elapsed_percent == 25
    assert status.return_code == "RET123"
    assert status.pickup_code is None
    assert status.overdue is False
    assert status.poll_seconds == POLL_ON_ROAD_SECONDS


def test_a_finished_booking_stops_polling(book, super_member, clock):
    td = in_state(book(super_member), State.CANCELLED)

    status = follow(td)

    assert status.poll_seconds is None
    assert status.steps == []
    assert status.pickup_code is None


def test_the_page_is_the_owners_only(client, book, super_member, clock):
    td = book(super_member)
    other = make_member(score=760)
    client.force_login(other.user)

    assert client.get(reverse("testdrives:follow", args=[td.pk])).status_code == 404
    assert client.get(reverse("testdrives:calendar", args=[td.pk])).status_code == 404


def test_the_page_polls_while_at_the_store_and_the_fragment_varies_on_htmx(client, book, super_member, clock):
    td = in_state(book(super_member), State.CHECKED_IN)
    client.force_login(super_member.user)
    url = reverse("testdrives:follow", args=[td.pk])

    page = client.get(url)
    fragment = client.get(url, HTTP_HX_REQUEST="true")

    assert 'hx-trigger="every 3s"' in page.content.decode()
    assert "data-opening-hours" in page.content.decode()
    assert fragment.content.decode().lstrip().startswith('<section id="follow-status"')
    assert "HX-Request" in fragment["Vary"]


def test_the_fragment_stops_asking_once_the_booking_is_over(client, book, super_member, clock):
    td = in_state(book(super_member), State.NO_SHOW)
    client.force_login(super_member.user)

    html = client.get(reverse("testdrives:follow", args=[td.pk]), HTTP_HX_REQUEST="true").content.decode()

    assert 'data-live="no"' in html
    assert "hx-trigger" not in html


def test_the_page_speaks_chinese(client, book, super_member, clock):
    td = book(super_member)
    client.force_login(super_member.user)

    html = client.get(
        reverse("testdrives:follow", args=[td.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "营业时间" in html
    assert "试驾中" in html  # the drive's step, not the catalogue's "on the road" price (落地价)
    assert "落地价" not in html
    assert td.store.address_zh in html


def test_the_status_api_gives_the_same_read(book, super_member, clock):
    td = on_the_road(book(super_member))

    response = api_for(super_member).get(f"/api/v1/testdrives/{td.pk}/status/")

    assert response.status_code == 200
    assert response.data["state"] == "on_drive"
    assert response.data["seconds_left"] == int((td.due_back_at - MORNING).total_seconds())
    assert response.data["poll_seconds"] == POLL_ON_ROAD_SECONDS
    assert response.data["store"]["slug"] == td.store.slug
    assert len(response.data["opening_hours"]) == 7
    assert response.data["calendar_url"] == f"/api/v1/testdrives/{td.pk}/calendar.ics"
    assert [s["key"] for s in response.data["steps"]][-1] == "returned"


def test_the_status_api_is_the_owners_only(book, super_member, clock):
    td = book(super_member)

    assert api_for(make_member(score=760)).get(f"/api/v1/testdrives/{td.pk}/status/").status_code == 404
    assert APIClient().get(f"/api/v1/testdrives/{td.pk}/status/").status_code == 401


def test_the_schema_has_the_follow_operations(client):
    schema = client.get("/api/schema/").content.decode()

    assert "/api/v1/testdrives/{id}/status/" in schema
    assert "/api/v1/testdrives/{id}/calendar.ics" in schema
    assert "/api/v1/testdrives/{id}/order/" in schema
