"""Consent to face enrolment and face pickup: given explicitly, withdrawable at once."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from biometrics.consent import CONSENT_VERSION
from biometrics.models import BiometricConsent
from biometrics.selectors import consent_open
from biometrics.services.enrolment import face_template_delete
from members.models import Member


def consent_give(*, member: Member, language: str) -> BiometricConsent:
    """Record the member's consent to the current text. Giving it twice keeps the first one."""
    existing = consent_open(member=member)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return BiometricConsent.objects.create(
                member=member, version=CONSENT_VERSION, language=language, given_at=timezone.now()
            )
    except IntegrityError:
        # A second click landed at the same moment; the one-open-consent constraint kept one.
        return consent_open(member=member)  # type: ignore[return-value]


def consent_withdraw(*, member: Member) -> bool:
    """Withdraw consent at once. Returns whether there was one to withdraw.

    The member's face template (and any enrolment photo still waiting) is deleted with it.
    """
    with transaction.atomic():
        withdrawn = BiometricConsent.objects.filter(member=member, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now()
        )
        face_template_delete(member=member)
    return bool(withdrawn)
