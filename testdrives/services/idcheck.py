"""The remote ID check: the way in without a face check and without staff on site.

At the kiosk the customer holds the driving licence and the ID card to the camera and takes a live
photo; a remote operator compares them with the member's stored details and approves (the car is
sent for through ``testdrive_identity_verified(method="staff")``, audited with who and why) or
refuses with a reason the kiosk shows. The pictures live encrypted in biometrics' private storage
and are deleted when the check is decided or closed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biometrics.frames import frame_delete, frame_read, private_picture_save
from testdrives.errors import TransitionRefused
from testdrives.models import IdCheck, IdCheckStatus, Kiosk, State, TestDrive
from testdrives.services.lifecycle import testdrive_identity_verified
from vendingstore.api_errors import ApplicationError

# Where a booking may be while an ID check is asked for or approved: the states
# testdrive_identity_verified accepts by hand.
ID_CHECK_STATES = (State.CHECKED_IN, State.VERIFYING, State.LOCKED)
PICTURE_FOLDER = "idcheck"
PICTURES = ("licence", "id_card", "live")


class IdCheckDecided(ApplicationError):
    """Someone else decided this check first (two operators, or a double click)."""

    status_code = 409
    code = "id_check_decided"
    default_message = _("This ID check has already been decided.")


class ReasonRequired(ApplicationError):
    status_code = 400
    code = "reason_required"
    default_message = _("Give the reason for refusing: the customer sees it at the kiosk.")


@dataclass(frozen=True)
class IdPictures:
    licence: bytes
    id_card: bytes
    live: bytes


def idcheck_request(
    *, test_drive: TestDrive | int, pictures: IdPictures, kiosk: Kiosk | None, reason: str
) -> IdCheck:
    """Ask the remote operator to check the customer's ID with these pictures.

    A second request for the same booking while one waits replaces its pictures (the customer
    retook them) and keeps its place in the queue. Refused (409) unless the booking is checked in,
    being verified or locked."""
    pk = test_drive if isinstance(test_drive, int) else test_drive.pk
    names = [
        private_picture_save(data, folder=PICTURE_FOLDER)
        for data in (pictures.licence, pictures.id_card, pictures.live)
    ]
    try:
        with transaction.atomic():
            td = TestDrive.objects.select_for_update(of=("self",)).get(pk=pk)
            if td.state not in ID_CHECK_STATES:
                raise TransitionRefused(
                    _("This booking is %(state)s: an ID check is not possible now.")
                    % {"state": td.get_state_display()}
                )
            check = IdCheck.objects.filter(test_drive=td, status=IdCheckStatus.WAITING).first()
            old_names = check.picture_names if check else []
            check = check or IdCheck(test_drive=td)
            check.kiosk = kiosk
            check.reason = reason[:40]
            check.licence_picture, check.id_card_picture, check.live_picture = names
            check.save()
            _delete_on_commit(old_names)
    except BaseException:
        _delete(names)
        raise
    return check


def idcheck_approve(*, id_check: IdCheck | int, by: User, reason: str = "") -> IdCheck:
    """The operator saw that the pictures match the member: the booking is verified by staff
    (audited with ``by`` and the reason) and the car is sent for, in one transaction."""
    note = reason.strip() or "driving licence, ID card and live photo checked remotely"
    with transaction.atomic():
        check = _decide(id_check, status=IdCheckStatus.APPROVED, by=by, reason=note)
        testdrive_identity_verified(
            test_drive=check.test_drive_id, method="staff", by=by, note=f"remote ID check: {note}"
        )
    return check


def idcheck_refuse(*, id_check: IdCheck | int, by: User, reason: str) -> IdCheck:
    """The operator could not confirm the customer's identity; the kiosk shows ``reason``. The
    booking itself is left as it is (the customer may try again, or staff cancel it)."""
    if not reason.strip():
        raise ReasonRequired()
    with transaction.atomic():
        return _decide(id_check, status=IdCheckStatus.REFUSED, by=by, reason=reason.strip())


def idcheck_close(*, id_check: IdCheck | int, why: str) -> bool:
    """Close a waiting check without a decision (the booking moved on, or the customer left) and
    delete its pictures; False when it no longer waited."""
    pk = id_check if isinstance(id_check, int) else id_check.pk
    with transaction.atomic():
        check = IdCheck.objects.select_for_update().filter(pk=pk, status=IdCheckStatus.WAITING).first()
        if check is None:
            return False
        _finish(check, status=IdCheckStatus.CLOSED, by=None, reason=why)
    return True


def idcheck_close_stale() -> int:
    """Close every waiting check whose booking is no longer where an ID check helps (verified by
    face meanwhile, cancelled, walked away); idempotent, run by the sweep. Returns how many."""
    stale = IdCheck.objects.filter(status=IdCheckStatus.WAITING).exclude(
        test_drive__state__in=ID_CHECK_STATES
    )
    return sum(
        idcheck_close(id_check=pk, why="booking moved on") for pk in stale.values_list("pk", flat=True)
    )


def idcheck_latest(*, test_drive: TestDrive | int) -> IdCheck | None:
    return IdCheck.objects.filter(test_drive=test_drive).order_by("-created_at", "-pk").first()


def idcheck_form_offered(*, test_drive: TestDrive, latest: IdCheck | None, wanted: bool) -> bool:
    """Whether the kiosk offers the ID-check form: the booking is where a check helps, the kiosk
    wants one (no face check possible, locked, or the customer asked), and none waits already."""
    waiting = latest is not None and latest.status == IdCheckStatus.WAITING
    return (
        test_drive.state in ID_CHECK_STATES and (wanted or test_drive.state == State.LOCKED) and not waiting
    )


def idcheck_picture(*, id_check: IdCheck, which: str) -> bytes:
    """One decrypted picture of a waiting check, for the operator's eyes only (the caller checks
    the permission). Raises ``LookupError`` once the check is decided (the pictures are gone)."""
    if which not in PICTURES:
        raise LookupError(which)
    name = getattr(id_check, f"{which}_picture")
    if id_check.status != IdCheckStatus.WAITING or not name:
        raise LookupError(which)
    return frame_read(name)


def _decide(id_check: IdCheck | int, *, status: str, by: User, reason: str) -> IdCheck:
    """Claim the waiting check with a conditional UPDATE (only one decision wins), then finish it."""
    pk = id_check if isinstance(id_check, int) else id_check.pk
    won = IdCheck.objects.filter(pk=pk, status=IdCheckStatus.WAITING).update(
        status=status, decided_at=timezone.now(), decided_by=by, decision_reason=reason
    )
    if not won:
        raise IdCheckDecided()
    check = IdCheck.objects.select_for_update().get(pk=pk)
    _finish(check, status=status, by=by, reason=reason)
    return check


def _finish(check: IdCheck, *, status: str, by: User | None, reason: str) -> None:
    names = check.picture_names
    check.status = status
    check.decided_at = check.decided_at or timezone.now()
    check.decided_by = by
    check.decision_reason = reason
    check.licence_picture = check.id_card_picture = check.live_picture = ""
    check.save()
    _delete_on_commit(names)


def _delete_on_commit(names: list[str]) -> None:
    if names:
        transaction.on_commit(lambda: _delete(names))


def _delete(names: list[str]) -> None:
    for name in names:
        frame_delete(name)
