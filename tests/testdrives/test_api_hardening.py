"""Issue 13, item 9: the slots day is bounded, a reused idempotency key with another body is refused."""

import uuid
from datetime import time

import pytest
from rest_framework.test import APIClient

from testdrives.models import TestDrive
from tests.fixtures.world import TEN
from tests.testdrives.test_api import api_for, booking

pytestmark = pytest.mark.django_db


def test_it_refuses_slots_for_a_day_past_the_booking_range_with_400_not_a_crash(
    car_model, store, cars, clock
):
    # A store that closes just before midnight: the last window's hold ran past year 9999.
    store.hours.update(opens=time(10, 0), closes=time(23, 59))

    response = APIClient().get(
        "/api/v1/testdrives/slots/", {"store": store.slug, "model": car_model.slug, "date": "9999-12-31"}
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "date" in response.json()["fields"]


def test_it_refuses_to_book_a_window_far_in_the_future_without_crashing(
    super_member, car_model, paint, store, cars, clock
):
    store.hours.update(opens=time(10, 0), closes=time(23, 59))
    body = {**booking(car_model, paint, store), "slot_start": "9999-12-31T23:30:00+08:00"}

    response = api_for(super_member).post("/api/v1/testdrives/", body, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_it_answers_422_when_an_idempotency_key_comes_back_with_another_booking(
    super_member, car_model, paint, store, cars, clock
):
    api = api_for(super_member)
    key = str(uuid.uuid4())
    first = api.post(
        "/api/v1/testdrives/", booking(car_model, paint, store), format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    later = {**booking(car_model, paint, store), "slot_start": TEN.replace(minute=15).isoformat()}

    second = api.post("/api/v1/testdrives/", later, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == 201
    assert second.status_code == 422
    assert second.json()["code"] == "idempotency_key_reused"
    assert TestDrive.objects.count() == 1
