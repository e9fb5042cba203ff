"""Fixtures for test drives: a store open 10:00–20:00 (Shanghai) with one tower, a car model in
one paint with two cars, members above and below the credit bar, and a frozen clock."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from biometrics.services import consent_give
from fleet.models import CarModel, Paint, Store, Tower, Vehicle
from members.models import Member
from members.services import member_tier_refresh
from testdrives.models import Kiosk, State, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.kiosks import kiosk_create
from tests.factories import (
    CarModelFactory,
    CreditReportFactory,
    MemberFactory,
    PaintFactory,
    StaffFactory,
    TowerFactory,
    VehicleFactory,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning before opening: 10:00 is the first window of the day.
MORNING = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
TEN = datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def eager_tasks(eager_tasks: None) -> None:
    """Every test-drive test runs queued tasks in-process (tests/conftest.py's ``eager_tasks``), so
    it sees what a worker would do."""


@pytest.fixture
def clock() -> Iterator[object]:
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def tower(db) -> Tower:
    return TowerFactory(levels=3, bays_per_level=4, lifts=1, delivery_bays=2)


@pytest.fixture
def store(tower: Tower) -> Store:
    return tower.store


@pytest.fixture
def car_model(db) -> CarModel:
    return CarModelFactory(msrp_cny=200_000)


@pytest.fixture
def paint(car_model: CarModel) -> Paint:
    return PaintFactory(car_model=car_model)


@pytest.fixture
def cars(store: Store, car_model: CarModel, paint: Paint) -> list[Vehicle]:
    return [VehicleFactory(store=store, car_model=car_model, paint=paint) for _ in range(2)]


def make_member(*, score: int, consent: bool = True, **kwargs: object) -> Member:
    member = MemberFactory(**kwargs)
    CreditReportFactory(member=member, score=score)
    if consent:
        consent_give(member=member, language="en")
    member_tier_refresh(member=member)
    return member


def on_the_road(td: TestDrive) -> TestDrive:
    """``td`` as if its car left the bay at 10:00, due back 72 hours later (state set directly)."""
    TestDrive.objects.filter(pk=td.pk).update(
        state=State.ON_DRIVE, departed_at=TEN, due_back_at=TEN + timedelta(hours=72)
    )
    return TestDrive.objects.get(pk=td.pk)


@pytest.fixture
def super_member(clock) -> Member:
    return make_member(score=760)


@pytest.fixture
def basic_member(clock) -> Member:
    return make_member(score=620)


@pytest.fixture
def staff(db):
    return StaffFactory(username="desk")


@pytest.fixture
def kiosk(store: Store, staff, clock) -> Kiosk:
    """The store's entrance kiosk, at 10:01: check-in for the 10:00 window is open."""
    clock.move_to(TEN + timedelta(minutes=1))
    return kiosk_create(store=store, name="Entrance", by=staff)[0]


@pytest.fixture
def book(store: Store, car_model: CarModel, paint: Paint, cars: list[Vehicle]):
    """Book ``member`` the fixture car at ``slot_start`` (10:00 by default)."""

    def _book(member: Member, slot_start: datetime = TEN, **kwargs: object) -> TestDrive:
        return testdrive_book(
            member=member,
            car_model=kwargs.pop("car_model", car_model),
            paint=kwargs.pop("paint", paint),
            store=store,
            slot_start=slot_start,
            **kwargs,
        )

    return _book
