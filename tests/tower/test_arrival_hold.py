"""Through the real tower simulator: while a member who said "I'm at the store" has not checked
in, the one-lift tower's pre-staging relocation is kept back (tower.sender + tower.arrival_gate);
their retrieve goes at check-in, and the relocation after it. An announcement that lapses no
longer holds anything."""

from datetime import timedelta

import pytest
from django.utils import timezone

from testdrives.models import TestDrive
from testdrives.services.arrival import testdrive_announce_arrival
from testdrives.services.lifecycle import testdrive_check_in
from testdrives.services.tower_moves import testdrives_prestage
from tests.fixtures.world import make_member
from tests.tower.conftest import finish
from tests.tower.test_return_and_prestage import ELEVEN, book_high, tower_in_auto
from tower.models import CommandKind, CommandStatus, TowerCommand
from tower.sender import command_send

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def arriving(sim, sim_client, tower, book, super_member, cars, kiosk, clock) -> TestDrive:
    """The second car stands on level 3, booked for 11:00 (a pre-staging candidate at 10:55);
    another member booked the first car for 11:00 and says at 10:55 they are at the store."""
    other = book(make_member(score=760), slot_start=ELEVEN)
    assert other.vehicle_id == cars[0].pk
    book_high(tower, book, super_member, cars[1], position=4, slot_start=ELEVEN)
    clock.move_to(ELEVEN - timedelta(minutes=5))
    tower_in_auto(sim_client, tower, cars)
    return testdrive_announce_arrival(test_drive=other, now=timezone.now())


def test_a_relocation_waits_for_the_announced_customer_and_goes_after_their_retrieve(
    arriving, sim_client, tower, cars, kiosk, clock
) -> None:
    [relocation] = testdrives_prestage(tower=tower)  # sent on commit: held
    relocation.refresh_from_db()
    assert relocation.status == CommandStatus.PENDING
    assert relocation.detail == "held for an arriving customer"
    assert relocation.attempts == 0  # a hold is not a failed attempt
    assert not sim_client.state()["queued"]

    testdrive_check_in(kiosk=kiosk, pickup_code=arriving.pickup_code)  # the retrieve goes at once
    retrieve = TowerCommand.objects.get(kind=CommandKind.RETRIEVE)
    assert retrieve.status == CommandStatus.ACCEPTED

    clock.move_to(timezone.now() + timedelta(seconds=10))
    assert command_send(command_pk=relocation.pk) == "accepted"
    finish(sim_client, tower)
    cars[1].refresh_from_db()
    assert cars[1].bay.level == 1


def test_a_lapsed_announcement_holds_nothing(arriving, sim_client, tower, cars, clock, settings) -> None:
    [relocation] = testdrives_prestage(tower=tower)
    clock.move_to(timezone.now() + timedelta(minutes=settings.TESTDRIVE_ARRIVAL_VALID_MINUTES, seconds=1))

    assert command_send(command_pk=relocation.pk) == "accepted"
    finish(sim_client, tower)
    cars[1].refresh_from_db()
    assert cars[1].bay.level == 1


def test_the_announced_members_own_car_is_pre_staged_at_once(
    sim, sim_client, tower, book, super_member, cars, clock
) -> None:
    # Held, their car's relocation would keep the retrieve at their check-in waiting for it.
    td = book_high(tower, book, super_member, cars[1], position=4, slot_start=ELEVEN)
    clock.move_to(ELEVEN - timedelta(minutes=5))
    tower_in_auto(sim_client, tower, cars)
    testdrive_announce_arrival(test_drive=td, now=timezone.now())

    [relocation] = testdrives_prestage(tower=tower)
    relocation.refresh_from_db()
    assert relocation.status == CommandStatus.ACCEPTED
    finish(sim_client, tower)
    cars[1].refresh_from_db()
    assert cars[1].bay.level == 1
