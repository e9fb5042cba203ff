"""The remote ID check's services: request, approve, refuse, close; the pictures' life."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django_fsm_log.models import StateLog

from testdrives.models import IdCheck, IdCheckStatus, State, TestDrive
from testdrives.services.booking import testdrive_cancel
from testdrives.services.idcheck import (
    IdCheckDecided,
    idcheck_approve,
    idcheck_close_stale,
    idcheck_picture,
    idcheck_refuse,
    idcheck_request,
)
from testdrives.services.lifecycle import testdrive_check_in
from tests.fixtures.world import make_member
from tests.idcheck_support import id_pictures
from vendingstore.api_errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked_in(book, kiosk, clock) -> TestDrive:
    member = make_member(score=760, consent=False)
    td = book(member)
    return testdrive_check_in(kiosk=kiosk, pickup_code=td.pickup_code)


def stored(name: str) -> Path:
    return Path(settings.BIOMETRICS_FRAMES_DIR) / name


def test_it_stores_the_pictures_encrypted_outside_media_root(checked_in, kiosk) -> None:
    pictures = id_pictures()
    check = idcheck_request(test_drive=checked_in, pictures=pictures, kiosk=kiosk, reason="no_consent")

    assert check.status == IdCheckStatus.WAITING
    assert len(check.picture_names) == 3
    for name in check.picture_names:
        raw = stored(name).read_bytes()
        assert pictures.licence not in raw
        assert not raw.startswith(b"\xff\xd8")
        assert not stored(name).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert idcheck_picture(id_check=check, which="licence") == pictures.licence
    assert idcheck_picture(id_check=check, which="live") == pictures.live


def test_a_second_request_replaces_the_pictures_of_the_waiting_one(
    checked_in, kiosk, django_capture_on_commit_callbacks
) -> None:
    first = idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="no_consent")
    old = first.picture_names
    with django_capture_on_commit_callbacks(execute=True):
        second = idcheck_request(
            test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="no_consent"
        )

    assert second.pk == first.pk
    assert IdCheck.objects.count() == 1
    assert not any(stored(name).exists() for name in old)
    assert all(stored(name).exists() for name in second.picture_names)


def test_it_refuses_a_request_for_a_booking_not_checked_in(book, clock) -> None:
    td = book(make_member(score=760, consent=False))
    before = set(Path(settings.BIOMETRICS_FRAMES_DIR).glob("idcheck/*"))

    with pytest.raises(ApplicationError):
        idcheck_request(test_drive=td, pictures=id_pictures(), kiosk=None, reason="")

    assert IdCheck.objects.count() == 0
    assert set(Path(settings.BIOMETRICS_FRAMES_DIR).glob("idcheck/*")) == before  # nothing half-written


def test_approval_verifies_by_staff_sends_for_the_car_and_deletes_the_pictures(
    checked_in, kiosk, staff, django_capture_on_commit_callbacks
) -> None:
    check = idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="no_consent")
    names = check.picture_names

    with django_capture_on_commit_callbacks(execute=True):
        check = idcheck_approve(id_check=check, by=staff, reason="licence and ID card match")

    td = TestDrive.objects.get(pk=checked_in.pk)
    assert td.identity_method == "staff"
    assert td.state in (State.DISPATCHING, State.READY)
    assert check.status == IdCheckStatus.APPROVED
    assert check.decided_by == staff
    assert check.decided_at
    assert check.picture_names == []
    assert not any(stored(name).exists() for name in names)
    log = StateLog.objects.for_(td).get(transition="verify")
    assert log.by == staff
    assert "remote ID check: licence and ID card match" in log.description
    with pytest.raises(LookupError):
        idcheck_picture(id_check=check, which="licence")


def test_only_one_decision_wins(checked_in, kiosk, staff) -> None:
    check = idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="")
    idcheck_refuse(id_check=check.pk, by=staff, reason="the photo is not the licence holder")

    with pytest.raises(IdCheckDecided):
        idcheck_approve(id_check=check.pk, by=staff)

    assert TestDrive.objects.get(pk=checked_in.pk).state == State.CHECKED_IN
    assert IdCheck.objects.get(pk=check.pk).status == IdCheckStatus.REFUSED


def test_it_refuses_a_refusal_without_a_reason(checked_in, kiosk, staff) -> None:
    check = idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="")

    with pytest.raises(ApplicationError):
        idcheck_refuse(id_check=check, by=staff, reason="  ")

    assert IdCheck.objects.get(pk=check.pk).status == IdCheckStatus.WAITING


def test_an_approval_the_booking_cannot_take_changes_nothing(checked_in, kiosk, staff) -> None:
    check = idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="")
    testdrive_cancel(test_drive=checked_in, by=staff, as_staff=True, reason="customer left")

    with pytest.raises(ApplicationError):
        idcheck_approve(id_check=check, by=staff)

    check.refresh_from_db()
    assert check.status == IdCheckStatus.WAITING
    assert len(check.picture_names) == 3


def test_the_sweep_closes_checks_whose_booking_moved_on(
    checked_in, kiosk, staff, django_capture_on_commit_callbacks
) -> None:
    check = idcheck_request(test_drive=checked_in, pictures=id_pictures(), kiosk=kiosk, reason="")
    names = check.picture_names
    testdrive_cancel(test_drive=checked_in, by=staff, as_staff=True, reason="customer left")

    with django_capture_on_commit_callbacks(execute=True):
        assert idcheck_close_stale() == 1
    assert idcheck_close_stale() == 0

    check.refresh_from_db()
    assert check.status == IdCheckStatus.CLOSED
    assert check.picture_names == []
    assert not any(stored(name).exists() for name in names)


def test_the_database_allows_one_waiting_check_per_booking(checked_in) -> None:
    IdCheck.objects.create(test_drive=checked_in)
    with pytest.raises(IntegrityError), transaction.atomic():
        IdCheck.objects.create(test_drive=checked_in)
