"""The face check's side of a booking: testdrives starts it and applies biometrics' verdict.

Biometrics decides whether the face matches (``biometrics.services.face_verify_pickup``) and
announces the verdict (``face_attempt_decided``); what that means for the booking is decided here.
"""

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from biometrics.models import AttemptResult, VerificationAttempt
from biometrics.selectors import face_attempt_failures, face_attempt_for_request
from biometrics.services import face_attempt_start
from testdrives.errors import TransitionRefused
from testdrives.models import State, TestDrive
from testdrives.services.lifecycle import (
    testdrive_face_check_failed,
    testdrive_face_check_started,
    testdrive_identity_verified,
)


def testdrive_face_check_start(
    *, test_drive: TestDrive, frames: Sequence[bytes], request_key: uuid.UUID
) -> VerificationAttempt:
    """The kiosk's burst for this booking: the booking starts verifying and biometrics decides the
    attempt in a worker after commit.

    The same ``request_key`` twice (a double submit) returns the first attempt. Refused, with
    nothing changed, when the booking is not waiting for a face check, or the member has no
    template (``NotEnrolled``: staff check the documents instead).
    """
    if not frames:
        raise TransitionRefused(_("No picture arrived from the camera. Please try again."))
    with transaction.atomic():
        td = TestDrive.objects.select_for_update().get(pk=test_drive.pk)
        existing = face_attempt_for_request(test_drive=td.pk, request_key=request_key)
        if existing is not None:
            return existing
        testdrive_face_check_started(test_drive=td)
        return face_attempt_start(
            member_id=td.member_id, booking_id=td.pk, frames=frames, request_key=request_key
        )


def testdrive_face_verdict_apply(*, test_drive: int, verdict: str, note: str) -> TestDrive | None:
    """Move the booking on a decided attempt: verified (and the car sent for) on a match; back
    to checked_in for a retake or another try; locked for staff after
    ``TESTDRIVE_FACE_ATTEMPTS_MAX`` failures. None when the booking no longer waits for the face
    (staff verified or cancelled it meanwhile): the attempt stays as a record."""
    if TestDrive.objects.filter(pk=test_drive).values_list("state", flat=True).first() != State.VERIFYING:
        return None
    if verdict == AttemptResult.MATCH:
        return testdrive_identity_verified(test_drive=test_drive, method="face", note=note)
    return testdrive_face_check_failed(
        test_drive=test_drive, failures=face_attempt_failures(test_drive=test_drive), reason=note
    )
