"""A manual move to an occupied or disabled bay is refused with the reason before any command."""

import pytest

from fleet.models import Bay, BayKind
from tests.factories import StaffFactory, TowerFactory, VehicleFactory
from tower.manual import manual_move
from tower.models import TowerCommand

pytestmark = pytest.mark.django_db


@pytest.fixture
def tower():
    return TowerFactory(levels=3, bays_per_level=4, lifts=1, delivery_bays=2)


def test_it_refuses_a_bay_another_car_stands_in(tower) -> None:
    first, second = VehicleFactory(store=tower.store), VehicleFactory(store=tower.store)

    error = manual_move(tower=tower, by=StaffFactory(), vin=first.vin, target=second.bay.code, reason="check")

    assert error == f"Bay {second.bay.code} holds the car {second.vin}: pick a free bay."
    assert TowerCommand.objects.count() == 0


def test_it_refuses_a_disabled_bay(tower) -> None:
    car = VehicleFactory(store=tower.store)
    target = Bay.objects.filter(tower=tower, kind=BayKind.STORAGE, vehicle__isnull=True).first()
    target.is_enabled = False
    target.save()

    error = manual_move(tower=tower, by=StaffFactory(), vin=car.vin, target=target.code, reason="check")

    assert error == f"Bay {target.code} is disabled: pick another bay."
    assert TowerCommand.objects.count() == 0


def test_it_records_a_move_to_a_free_bay(tower) -> None:
    car = VehicleFactory(store=tower.store)
    target = (
        Bay.objects.filter(tower=tower, kind=BayKind.STORAGE, vehicle__isnull=True)
        .exclude(pk=car.bay_id)
        .first()
    )

    assert manual_move(tower=tower, by=StaffFactory(), vin=car.vin, target=target.code, reason="check") == ""
    assert TowerCommand.objects.get().target_bay == target
