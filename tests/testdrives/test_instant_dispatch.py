"""The instant dispatcher never moves a car that a tower controller holds."""

import pytest
from django.utils import timezone

from fleet.models import VehicleStatus
from testdrives.models import State, TestDrive
from testdrives.services.lifecycle import testdrive_check_in, testdrive_identity_verified
from tower.models import TowerLink

pytestmark = pytest.mark.django_db


def test_a_process_misconfigured_as_instant_does_not_move_a_controlled_towers_car(
    book, super_member, tower, staff, kiosk, django_capture_on_commit_callbacks
):
    TowerLink.objects.create(tower=tower, inventory_loaded_at=timezone.now())
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID seen")

    td = TestDrive.objects.get(pk=td.pk)
    assert td.state == State.DISPATCH_FAILED
    assert td.vehicle.status == VehicleStatus.STORED
    assert td.vehicle.bay.kind == "storage"
