"""Retention (DESIGN.md §1): templates go 30 days after the member's last test drive ends.

Biometrics does not read bookings: testdrives tells it when a booking opens and when one ends
(``face_template_used``), and the template keeps that (``in_use``, ``last_used_at``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from biometrics.models import BiometricConsent, FaceTemplate
from biometrics.services.enrolment import face_template_delete


def face_template_used(*, member_id: int, at: datetime, in_use: bool) -> int:
    """Record that the member booked (``in_use=True``) or that a drive ended at ``at`` with
    ``in_use`` telling whether another booking is still open. Returns the rows changed (0 or 1)."""
    return FaceTemplate.objects.filter(member_id=member_id).update(in_use=in_use, last_used_at=at)


def biometrics_retention_sweep() -> int:
    """Delete every template that is due; returns how many. Idempotent.

    Due: no consent in force (a withdrawal that raced an enrolment), or no booking open and the
    last drive ended (or, never having driven, the enrolment is) older than the retention period.
    """
    cutoff = timezone.now() - timedelta(days=settings.BIOMETRICS_RETENTION_DAYS)
    consent = BiometricConsent.objects.filter(member=OuterRef("member"), withdrawn_at__isnull=True)
    due = (
        FaceTemplate.objects.annotate(
            consented=Exists(consent), last_use=Coalesce("last_used_at", "created_at")
        )
        .filter(Q(consented=False) | Q(in_use=False, last_use__lt=cutoff))
        .values_list("member_id", flat=True)
    )
    deleted = 0
    for member_id in list(due):
        deleted += face_template_delete(member=member_id)
    return deleted
