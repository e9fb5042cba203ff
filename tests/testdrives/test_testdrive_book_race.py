"""Fifty members book the last car at once, against PostgreSQL: exactly one wins, every time."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from fleet.models import VehicleHold
from testdrives.errors import NoCarLeft, SlotFull
from testdrives.models import TestDrive
from testdrives.services.booking import testdrive_book
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory
from tests.fixtures.world import TEN, make_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 50


def race(members, *, car_model, paint, store) -> list[object]:
    """Every member books at the same moment, over three overlapping windows; one result each."""
    barrier = threading.Barrier(len(members))
    results: list[object] = [None] * len(members)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = testdrive_book(
                member=members[i],
                car_model=car_model,
                paint=paint,
                store=store,
                slot_start=TEN + timedelta(minutes=15 * (i % 3)),
            )
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(members))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(3))
def test_fifty_concurrent_bookings_of_the_last_car_make_exactly_one_booking(clock, store, round_):
    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    car = VehicleFactory(store=store, car_model=car_model, paint=paint)
    members = [make_member(score=760) for _ in range(RACERS)]

    results = race(members, car_model=car_model, paint=paint, store=store)

    won = [r for r in results if isinstance(r, TestDrive)]
    lost = [r for r in results if not isinstance(r, TestDrive)]
    assert len(won) == 1
    assert all(isinstance(r, NoCarLeft | SlotFull) for r in lost), {type(r).__name__ for r in lost}
    assert TestDrive.objects.filter(car_model=car_model).count() == 1
    assert VehicleHold.objects.filter(vehicle=car, released_at__isnull=True).count() == 1


def test_concurrent_requests_with_one_idempotency_key_book_once_and_replay_the_rest(clock, store):
    """The replay decision is made under the member's lock: one 201, the others the replay."""
    import uuid

    from testdrives.services.booking import testdrive_book_once

    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    VehicleFactory(store=store, car_model=car_model, paint=paint)
    member = make_member(score=760)
    key = uuid.uuid4()
    barrier = threading.Barrier(8)
    results: list[object] = [None] * 8

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = testdrive_book_once(
                member=member, car_model=car_model, paint=paint, store=store, slot_start=TEN, request_key=key
            )
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted(getattr(r, "replayed", r) for r in results) == [False] + [True] * 7
    assert len({r.test_drive.pk for r in results}) == 1
    assert TestDrive.objects.filter(member=member).count() == 1
