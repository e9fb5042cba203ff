"""What the console lists: each kind of need, with its subject, store and age."""

import pytest
from django.utils import timezone

from ops.models import QueueKind
from ops.queues import needs_open
from testdrives.models import State, TestDrive
from tower.models import IncidentKind, TowerIncident

pytestmark = pytest.mark.django_db


def test_it_lists_a_waiting_id_check_with_a_clear_subject(waiting_check, store) -> None:
    [need] = needs_open()
    assert need.kind == QueueKind.ID_CHECK
    assert need.key == str(waiting_check.pk)
    assert need.subject == (
        f"{store.name}: booking {waiting_check.test_drive.pickup_code} waits for a remote ID check at the kiosk"
    )
    assert need.age.total_seconds() >= 0


def test_it_lists_a_locked_booking_with_the_number_of_failed_checks(checked_in, store, settings) -> None:
    TestDrive.objects.filter(pk=checked_in.pk).update(state=State.LOCKED)
    [need] = needs_open()
    assert need.kind == QueueKind.LOCKED
    assert need.subject == f"{store.name}: booking {checked_in.pickup_code} locked after 5 failed face checks"


def test_it_lists_tower_incidents_and_filters_by_store(tower, store) -> None:
    TowerIncident.objects.create(tower=tower, kind=IncidentKind.ESTOP, summary="emergency stop pressed")
    assert [n.kind for n in needs_open()] == [QueueKind.TOWER]
    assert needs_open(stores=[]) == []


def test_a_car_left_in_the_bay_shows_after_the_walk_away_time(checked_in, clock, settings) -> None:
    TestDrive.objects.filter(pk=checked_in.pk).update(state=State.READY, updated_at=timezone.now())
    assert needs_open() == []
    clock.shift(settings.OPS_WALKED_AWAY_MINUTES * 60 + 1)
    assert [n.kind for n in needs_open()] == [QueueKind.WALKED_AWAY]
