"""A returned car's stow waits behind customers while another delivery bay is free, and goes as
a customer's move when it holds up the last one (tower.priorities.stow_priority)."""

import pytest
from django.db import transaction

from fleet.models import BayKind, VehicleStatus
from tests.factories import TowerFactory, VehicleFactory
from tower.commands import command_create
from tower.models import CommandKind
from tower.moves import stow_ensure
from tower.priorities import BACKGROUND_PRIORITY, RETRIEVE_PRIORITY, stow_priority

pytestmark = pytest.mark.django_db


def test_a_stow_is_background_work_while_another_delivery_bay_is_free() -> None:
    assert stow_priority(free_delivery_bays=1) == BACKGROUND_PRIORITY


def test_a_stow_holding_up_the_last_delivery_bay_goes_as_a_customer() -> None:
    assert stow_priority(free_delivery_bays=0) == RETRIEVE_PRIORITY


@pytest.fixture
def tower():
    return TowerFactory(lifts=2, delivery_bays=2)


def at_delivery_bay(tower, position: int):
    bay = tower.bays.get(kind=BayKind.DELIVERY, position=position)
    return VehicleFactory(store=tower.store, bay=bay, status=VehicleStatus.AT_DELIVERY_BAY)


def stow(vehicle):
    with transaction.atomic():
        return stow_ensure(vehicle_id=vehicle.pk)


def test_the_stow_of_a_returned_car_with_the_other_bay_free_waits_behind_customers(tower) -> None:
    command = stow(at_delivery_bay(tower, 1))
    assert command is not None
    assert command.kind == CommandKind.STOW
    assert command.priority == BACKGROUND_PRIORITY


def test_the_stow_of_a_returned_car_with_the_other_bay_taken_goes_first(tower) -> None:
    returned = at_delivery_bay(tower, 1)
    at_delivery_bay(tower, 2)
    assert stow(returned).priority == RETRIEVE_PRIORITY


def test_a_bay_a_car_is_on_its_way_to_is_not_free(tower) -> None:
    returned = at_delivery_bay(tower, 1)
    wanted = VehicleFactory(store=tower.store)
    with transaction.atomic():
        command_create(
            kind=CommandKind.RETRIEVE,
            vehicle=wanted,
            source_bay=wanted.bay,
            target_bay=tower.bays.get(kind=BayKind.DELIVERY, position=2),
            priority=RETRIEVE_PRIORITY,
        )
    assert stow(returned).priority == RETRIEVE_PRIORITY
