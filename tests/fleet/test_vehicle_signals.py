"""fleet.signals.vehicles_changed: sent when a car may have become bookable (new, back into a bay,
moved to another store or paint, imported), not on a move between two bays inside the tower."""

from collections.abc import Iterator

import pytest

from fleet.models import BayKind, Vehicle, VehicleStatus
from fleet.services import vehicle_place, vehicle_take_out
from fleet.signals import vehicles_changed
from tests.factories import StoreFactory, VehicleFactory
from tests.fleet.test_vehicle_import import csv_text, place, row, run  # noqa: F401  (place: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent() -> Iterator[list[list[int]]]:
    heard: list[list[int]] = []

    def hear(sender: object, vehicle_ids: list[int], **kwargs: object) -> None:
        heard.append(vehicle_ids)

    vehicles_changed.connect(hear, dispatch_uid="test.vehicles_changed")
    yield heard
    vehicles_changed.disconnect(dispatch_uid="test.vehicles_changed")


def test_a_new_car_is_announced(sent) -> None:
    car = VehicleFactory()

    assert [car.pk] in sent


def test_a_move_to_the_delivery_bay_is_not(sent) -> None:
    car = Vehicle.objects.get(pk=VehicleFactory().pk)
    sent.clear()

    vehicle_place(vehicle=car, bay=car.bay.tower.bays.filter(kind=BayKind.DELIVERY).first())

    assert sent == []


def test_a_car_back_from_the_workshop_is(sent) -> None:
    car = Vehicle.objects.get(pk=VehicleFactory().pk)
    bay = car.bay
    sent.clear()
    vehicle_take_out(vehicle=car, status=VehicleStatus.MAINTENANCE)
    assert sent == []  # leaving frees nothing

    vehicle_place(vehicle=Vehicle.objects.get(pk=car.pk), bay=bay)

    assert sent == [[car.pk]]


def test_a_car_moved_to_another_store_is(sent) -> None:
    car = Vehicle.objects.get(pk=VehicleFactory(status=VehicleStatus.MAINTENANCE).pk)
    sent.clear()

    car.store = StoreFactory()
    car.save()

    assert sent == [[car.pk]]


@pytest.mark.usefixtures("place")
def test_an_import_is_announced_once_for_all_its_cars(sent) -> None:
    result = run(csv_text(row(level=1, position=1), row(level=1, position=2)))

    assert result.ok, result.errors
    assert sorted(v.pk for v in result.vehicles) in sent
