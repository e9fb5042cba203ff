"""Read-side queries for biometrics."""

from biometrics.models import BiometricConsent


def consent_open(*, member: object) -> BiometricConsent | None:
    """The member's consent in force (not withdrawn), if any."""
    return BiometricConsent.objects.filter(member=member, withdrawn_at__isnull=True).first()


def biometric_consent_given(*, member: object) -> bool:
    return consent_open(member=member) is not None
