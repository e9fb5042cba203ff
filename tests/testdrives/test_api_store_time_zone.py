"""The slots and booking API on the store's own clock: its days, its windows written with its
offset, and a slot_start without an offset read at the store (Tokyo, one hour ahead of Shanghai)."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from fleet.models import Store
from testdrives.models import TestDrive
from tests.factories import TowerFactory, VehicleFactory
from tests.fixtures.world import SHANGHAI
from tests.testdrives.test_api import api_for

pytestmark = pytest.mark.django_db

TOKYO_EARLY = datetime(2026, 12, 1, 7, 0, tzinfo=SHANGHAI)  # 08:00 in Tokyo
TOKYO_PAST_MIDNIGHT = datetime(2026, 12, 1, 23, 30, tzinfo=SHANGHAI)  # 00:30 on the 2nd in Tokyo


@pytest.fixture
def tokyo(car_model, paint) -> Store:
    store = TowerFactory(store__name="Tokyo Ginza", store__time_zone="Asia/Tokyo").store
    for _ in range(2):
        VehicleFactory(store=store, car_model=car_model, paint=paint)
    return store


def slots(store, car_model, paint, day: str):
    query = {"store": store.slug, "model": car_model.slug, "paint": paint.pk, "date": day}
    return APIClient().get("/api/v1/testdrives/slots/", query)


def test_slots_are_the_stores_opening_hours_written_with_its_offset(tokyo, car_model, paint, clock):
    clock.move_to(TOKYO_EARLY)

    response = slots(tokyo, car_model, paint, "2026-12-01")

    assert response.status_code == 200
    assert len(response.data) == 40
    assert response.data[0]["starts_at"] == "2026-12-01T10:00:00+09:00"
    assert response.data[-1]["ends_at"] == "2026-12-01T20:00:00+09:00"


def test_slots_refuse_a_day_already_over_at_the_store(tokyo, car_model, paint, clock):
    clock.move_to(TOKYO_PAST_MIDNIGHT)

    over = slots(tokyo, car_model, paint, "2026-12-01")  # still today in Shanghai
    today = slots(tokyo, car_model, paint, "2026-12-02")

    assert over.status_code == 400
    assert "date" in over.json()["fields"]
    assert today.status_code == 200
    assert today.data[0]["starts_at"] == "2026-12-02T10:00:00+09:00"


def test_a_slot_start_without_an_offset_is_booked_on_the_stores_clock(
    super_member, tokyo, car_model, paint, clock
):
    clock.move_to(TOKYO_EARLY)
    body = {
        "model": car_model.slug,
        "paint": paint.pk,
        "store": tokyo.slug,
        "slot_start": "2026-12-01T10:00:00",
    }

    response = api_for(super_member).post("/api/v1/testdrives/", body, format="json")

    assert response.status_code == 201
    assert TestDrive.objects.get().slot_start == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert response.data["slot_start"] == "2026-12-01T10:00:00+09:00"
