"""Retention (DESIGN.md §1): templates go 30 days after the member's last test drive ends."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from biometrics.models import BiometricConsent, FaceTemplate
from biometrics.services.enrolment import face_template_delete
from testdrives.models import ACTIVE, TestDrive


def biometrics_retention_sweep() -> int:
    """Delete every template that is due; returns how many. Idempotent.

    Due: no consent in force (a withdrawal that raced an enrolment), or no active booking and the
    last drive ended (or, never having driven, the enrolment is) older than the retention period.
    """
    cutoff = timezone.now() - timedelta(days=settings.BIOMETRICS_RETENTION_DAYS)
    consent = BiometricConsent.objects.filter(member=OuterRef("member"), withdrawn_at__isnull=True)
    active = TestDrive.objects.filter(member=OuterRef("member"), state__in=ACTIVE)
    due = (
        FaceTemplate.objects.annotate(
            consented=Exists(consent),
            active=Exists(active),
            last_end=Max("member__test_drives__finished_at"),
        )
        .filter(
            Q(consented=False)
            | (Q(active=False) & (Q(last_end__lt=cutoff) | Q(last_end__isnull=True, created_at__lt=cutoff)))
        )
        .values_list("member_id", flat=True)
    )
    deleted = 0
    for member_id in list(due):
        deleted += face_template_delete(member=member_id)
    return deleted
