"""Read-side queries for biometrics."""

from biometrics.models import BiometricConsent, FaceEnrolment, FaceTemplate


def consent_open(*, member: object) -> BiometricConsent | None:
    """The member's consent in force (not withdrawn), if any."""
    return BiometricConsent.objects.filter(member=member, withdrawn_at__isnull=True).first()


def biometric_consent_given(*, member: object) -> bool:
    return consent_open(member=member) is not None


def face_enrolment_latest(*, member: object) -> FaceEnrolment | None:
    return FaceEnrolment.objects.filter(member=member).first()


def face_template_exists(*, member: object) -> bool:
    return FaceTemplate.objects.filter(member=member).exists()
