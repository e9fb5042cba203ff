"""Read-side queries for biometrics."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from biometrics.engine import MESSAGES, ChallengeCode, QualityCode
from biometrics.models import (
    FAILED_RESULTS,
    AttemptResult,
    BiometricConsent,
    EnrolmentStatus,
    FaceEnrolment,
    FaceTemplate,
    VerificationAttempt,
)
from members.models import Member


def consent_open(*, member: Member | int) -> BiometricConsent | None:
    """The member's consent in force (not withdrawn), if any."""
    return BiometricConsent.objects.filter(member=member, withdrawn_at__isnull=True).first()


def biometric_consent_given(*, member: Member | int) -> bool:
    return consent_open(member=member) is not None


def face_enrolment_latest(*, member: Member | int) -> FaceEnrolment | None:
    return FaceEnrolment.objects.filter(member=member).first()


def face_template_exists(*, member: Member | int) -> bool:
    """A template the store's current model can compare with (an old model's one is no use)."""
    return FaceTemplate.objects.filter(member=member, model=settings.BIOMETRICS_MODEL).exists()


def face_templates_outdated() -> "QuerySet[FaceTemplate]":
    """Templates made by another model than the one in force: never compared (the vectors live in
    different spaces) and not recomputable (enrolment photos are deleted), so their members must
    take a new face photo."""
    return FaceTemplate.objects.exclude(model=settings.BIOMETRICS_MODEL)


def face_template_outdated(*, member: Member | int) -> bool:
    return face_templates_outdated().filter(member=member).exists()


def face_pickup_unavailable_reason(*, member: Member | int) -> str | None:
    """Why this member's pickup cannot use the face check (None: it can): ``not_enrolled`` or
    ``template_outdated``."""
    model = FaceTemplate.objects.filter(member=member).values_list("model", flat=True).first()
    if model is None:
        return "not_enrolled"
    return None if model == settings.BIOMETRICS_MODEL else "template_outdated"


def face_retake_message(reason: str) -> str | None:
    """The customer's retake instruction for a quality-gate reason, None for any other reason."""
    try:
        code = QualityCode(reason)
    except ValueError:
        return None
    message = MESSAGES.get(code)
    return str(message) if message is not None else None


@dataclass(frozen=True)
class FaceStatus:
    """Where a member's face pickup stands, for the portal page and the API alike.

    ``retake_reason`` is set only when the latest enrolment was refused; ``retake_message`` only
    when that reason is a quality-gate one (a withdrawn consent has no photo advice).
    """

    consent: BiometricConsent | None
    enrolled: bool
    retake_required: bool
    latest: FaceEnrolment | None
    retake_reason: str | None
    retake_message: str | None


def face_status(*, member: Member | int) -> FaceStatus:
    latest = face_enrolment_latest(member=member)
    reason = latest.reason if latest and latest.status == EnrolmentStatus.REFUSED else None
    return FaceStatus(
        consent=consent_open(member=member),
        enrolled=face_template_exists(member=member),
        retake_required=face_template_outdated(member=member),
        latest=latest,
        retake_reason=reason,
        retake_message=face_retake_message(reason) if reason else None,
    )


def face_attempt_latest(*, test_drive: int) -> VerificationAttempt | None:
    return VerificationAttempt.objects.filter(test_drive_id=test_drive).order_by("-created_at", "-pk").first()


def face_attempt_message(attempt: VerificationAttempt | None) -> str | None:
    """What the kiosk tells the customer after an attempt that did not let them through."""
    if attempt is None or attempt.result in (AttemptResult.PENDING, AttemptResult.MATCH):
        return None
    if attempt.result == AttemptResult.RETAKE and attempt.reason == ChallengeCode.FACE_MOVED:
        return _("Please stay where you are and keep looking at the camera while it takes the pictures.")
    if attempt.result == AttemptResult.RETAKE:
        return face_retake_message(attempt.reason) or _(
            "Please turn your head slightly (or blink) while the camera takes the pictures."
        )
    if attempt.result == AttemptResult.SPOOF:
        return _("Please look into the camera yourself: a photo or a screen cannot be used.")
    if attempt.result == AttemptResult.NO_TEMPLATE:
        return face_pickup_unavailable_message(attempt.reason)
    return _("That did not match. Please try again.")


def face_pickup_unavailable_message(reason: str) -> str:
    """What the kiosk says when the face check cannot be used, and what happens instead."""
    if reason == "template_outdated":
        return _(
            "Your face photo was taken for our previous face check and cannot be used with the new "
            "one. Please take a new face photo in the app or on the website before your next visit; "
            "today the remote operator checks your driving licence and ID card instead."
        )
    return _(
        "We have no face photo on file for you. The remote operator checks your driving licence and "
        "ID card instead."
    )


def face_attempts_left(*, test_drive: int, limit: int) -> int:
    """Failed face checks this booking may still have before it locks (``limit`` in all)."""
    return max(limit - face_attempt_failures(test_drive=test_drive), 0)


def face_attempt_for_request(*, test_drive: int, request_key: uuid.UUID) -> VerificationAttempt | None:
    """The attempt a kiosk request already made (a double submit), if any."""
    return VerificationAttempt.objects.filter(test_drive_id=test_drive, request_key=request_key).first()


def face_attempt_failures(*, test_drive: int) -> int:
    """Failed face checks of one booking (no match, liveness): the one count of them."""
    return VerificationAttempt.objects.filter(test_drive_id=test_drive, result__in=FAILED_RESULTS).count()
