"""Read-side queries for biometrics."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from biometrics.engine import MESSAGES
from biometrics.models import (
    AttemptResult,
    BiometricConsent,
    EnrolmentStatus,
    FaceEnrolment,
    FaceTemplate,
    VerificationAttempt,
)


def consent_open(*, member: object) -> BiometricConsent | None:
    """The member's consent in force (not withdrawn), if any."""
    return BiometricConsent.objects.filter(member=member, withdrawn_at__isnull=True).first()


def biometric_consent_given(*, member: object) -> bool:
    return consent_open(member=member) is not None


def biometric_consent_given_for(*, member_ids: list[int]) -> set[int]:
    """Which of these members have consent in force: one query for a batch of them."""
    return set(
        BiometricConsent.objects.filter(member_id__in=member_ids, withdrawn_at__isnull=True).values_list(
            "member_id", flat=True
        )
    )


def face_enrolment_latest(*, member: object) -> FaceEnrolment | None:
    return FaceEnrolment.objects.filter(member=member).first()


def face_template_exists(*, member: object) -> bool:
    return FaceTemplate.objects.filter(member=member).exists()


def face_retake_message(reason: str) -> str | None:
    """The customer's retake instruction for a quality-gate reason, None for any other reason."""
    return str(MESSAGES[reason]) if reason in MESSAGES else None


@dataclass(frozen=True)
class FaceStatus:
    """Where a member's face pickup stands, for the portal page and the API alike.

    ``retake_reason`` is set only when the latest enrolment was refused; ``retake_message`` only
    when that reason is a quality-gate one (a withdrawn consent has no photo advice).
    """

    consent: BiometricConsent | None
    enrolled: bool
    latest: FaceEnrolment | None
    retake_reason: str | None
    retake_message: str | None


def face_status(*, member: object) -> FaceStatus:
    latest = face_enrolment_latest(member=member)
    reason = latest.reason if latest and latest.status == EnrolmentStatus.REFUSED else None
    return FaceStatus(
        consent=consent_open(member=member),
        enrolled=face_template_exists(member=member),
        latest=latest,
        retake_reason=reason,
        retake_message=face_retake_message(reason) if reason else None,
    )


def face_attempt_latest(*, test_drive: object) -> VerificationAttempt | None:
    return VerificationAttempt.objects.filter(test_drive=test_drive).order_by("-created_at", "-pk").first()


def face_attempt_message(attempt: VerificationAttempt | None) -> str | None:
    """What the kiosk tells the customer after an attempt that did not let them through."""
    if attempt is None or attempt.result in (AttemptResult.PENDING, AttemptResult.MATCH):
        return None
    if attempt.result == AttemptResult.RETAKE:
        return face_retake_message(attempt.reason) or _(
            "Please turn your head slightly (or blink) while the camera takes the pictures."
        )
    if attempt.result == AttemptResult.SPOOF:
        return _("Please look into the camera yourself: a photo or a screen cannot be used.")
    if attempt.result == AttemptResult.NO_TEMPLATE:
        return _("We have no face photo on file for you. A member of staff will check your ID instead.")
    return _("That did not match. Please try again, or ask a member of staff.")
