"""An extension and a new booking race for the same hours of one car, against PostgreSQL: the
exclusion constraint gives them to exactly one, every time."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection

from fleet.models import VehicleHold
from testdrives.errors import ExtensionRefused, NoCarLeft
from testdrives.models import Extension, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.extend import testdrive_extend
from tests.factories import CarModelFactory, PaintFactory, VehicleFactory
from tests.fixtures.world import TEN, make_member, on_the_road

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The first booking's car is due back 72 h after 10:00; 20 more hours and the turnaround reach past
# 10:00 four days on, the next window the car could be booked for.
NEXT_WINDOW = TEN + timedelta(days=4)


@pytest.mark.parametrize("round_", range(4))
def test_an_extension_and_a_booking_of_the_same_hours_never_both_win(clock, store, settings, round_):
    settings.TESTDRIVE_EXTEND_FEE_PER_DAY_CNY = 0  # the race is about the calendar
    car_model = CarModelFactory()
    paint = PaintFactory(car_model=car_model)
    car = VehicleFactory(store=store, car_model=car_model, paint=paint)
    driver, booker = make_member(score=760), make_member(score=760)
    td = on_the_road(
        testdrive_book(member=driver, car_model=car_model, paint=paint, store=store, slot_start=TEN)
    )
    clock.move_to(TEN + timedelta(days=1))
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def run(name: str, work) -> None:
        try:
            barrier.wait()
            results[name] = work()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    jobs = {
        "extend": lambda: testdrive_extend(test_drive=td, member=driver, hours=20, request_key=uuid.uuid4()),
        "book": lambda: testdrive_book(
            member=booker, car_model=car_model, paint=paint, store=store, slot_start=NEXT_WINDOW
        ),
    }
    threads = [threading.Thread(target=run, args=(name, work)) for name, work in jobs.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    extended = isinstance(results["extend"], Extension)
    booked = isinstance(results["book"], TestDrive)
    assert extended != booked, results
    if extended:
        assert isinstance(results["book"], NoCarLeft)
    else:
        assert isinstance(results["extend"], ExtensionRefused)
    holds = VehicleHold.objects.filter(vehicle=car, released_at__isnull=True).count()
    assert holds == (1 if extended else 2)
