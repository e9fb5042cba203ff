"""The tower tests' bookings (tests/e2e/tower_support.py) work at any time of day: their real
processes cannot freeze the clock, so the helper is checked here at the risky moments instead
(no process is started)."""

from datetime import datetime, timedelta

import pytest
import time_machine

from testdrives.models import State
from testdrives.services.kiosks import kiosk_create
from testdrives.services.lifecycle import testdrive_check_in
from tests.e2e.tower_support import book_next_window, tower_world
from tests.factories import StaffFactory
from tests.fixtures.world import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("now", "window"),
    [
        (datetime(2026, 12, 5, 13, 13), datetime(2026, 12, 5, 13, 15)),  # last 10 minutes of a window
        (datetime(2026, 12, 5, 23, 36), datetime(2026, 12, 6, 0, 0)),  # 23:45 is no window
        (datetime(2026, 12, 5, 23, 59, 59), datetime(2026, 12, 6, 0, 0)),
        (datetime(2026, 12, 31, 23, 50), datetime(2027, 1, 1, 0, 0)),
        (datetime(2026, 12, 6, 0, 0), datetime(2026, 12, 6, 0, 15)),  # a window that begins now has begun
    ],
)
def test_a_booking_for_the_next_window_can_check_in_at_once(now: datetime, window: datetime) -> None:
    with time_machine.travel(now.replace(tzinfo=SHANGHAI), tick=False):
        world = tower_world("any-time")
        kiosk, _ = kiosk_create(store=world["store"], name="Entrance", by=StaffFactory())

        [td] = book_next_window(world, 1)
        checked_in = testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    assert td.slot_start == window.replace(tzinfo=SHANGHAI)
    assert td.slot_start - now.replace(tzinfo=SHANGHAI) <= timedelta(minutes=30)
    assert checked_in.state == State.CHECKED_IN
