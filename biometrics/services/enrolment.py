"""Enrolment: a consenting member's photo becomes an encrypted template; the photo is deleted."""

import uuid
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biometrics import tasks  # a module object: tasks import these services in turn
from biometrics.crypto import template_encrypt
from biometrics.engine import FaceRefused, embed
from biometrics.models import EnrolmentStatus, FaceEnrolment, FaceTemplate
from biometrics.selectors import biometric_consent_given
from members.models import Member
from vendingstore.api_errors import ApplicationError
from vendingstore.queueing import delay_on_commit, delay_safely


class ConsentRequired(ApplicationError):
    status_code = 409
    code = "consent_required"
    default_message = _(
        "Give your consent to face pickup first; without it, staff check your ID at the store instead."
    )


def face_enrol(*, member: Member, photo: bytes) -> FaceEnrolment:
    """Store the (already checked) photo and compute its template in a worker after commit."""
    if not biometric_consent_given(member=member):
        raise ConsentRequired()
    with transaction.atomic():
        enrolment = FaceEnrolment(member=member)
        enrolment.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(photo), save=False)
        enrolment.save()
        delay_on_commit(tasks.face_enrol_decide, enrolment.pk)
    return enrolment


def face_enrol_decide(*, enrolment_id: int) -> str:
    """Compute the template of a pending enrolment, or refuse the photo with its reason.

    Idempotent: a decided enrolment is left alone. The photo is deleted either way; a consent
    withdrawn meanwhile means no template is made.
    """
    with transaction.atomic():
        enrolment = FaceEnrolment.objects.select_for_update().filter(pk=enrolment_id).first()
        if enrolment is None or enrolment.status != EnrolmentStatus.PENDING:
            return enrolment.status if enrolment else "missing"
        status, reason = _decide(enrolment)
        enrolment.status, enrolment.reason, enrolment.decided_at = status, reason, timezone.now()
        _photo_delete(enrolment)
        enrolment.save()
    return status


def face_enrolments_requeue_stale(*, older_than_seconds: int = 60) -> int:
    """Queue again every enrolment still pending after ``older_than_seconds``; returns how many.

    Its task was lost (broker down at commit, worker machine gone); deciding twice is harmless,
    since the task locks the enrolment and leaves a decided one alone.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = FaceEnrolment.objects.filter(status=EnrolmentStatus.PENDING, created_at__lt=cutoff)
    return sum(delay_safely(tasks.face_enrol_decide, pk) for pk in stale.values_list("pk", flat=True))


def _decide(enrolment: FaceEnrolment) -> tuple[str, str]:
    if not biometric_consent_given(member=enrolment.member):
        return EnrolmentStatus.REFUSED, "consent_withdrawn"
    try:
        with enrolment.photo.open("rb") as photo:
            embedding = embed(photo.read())
    except FaceRefused as refused:
        return EnrolmentStatus.REFUSED, refused.code.value
    FaceTemplate.objects.update_or_create(
        member=enrolment.member,
        defaults={"model": embedding.model, "vector_encrypted": template_encrypt(embedding)},
    )
    return EnrolmentStatus.DONE, ""


def _photo_delete(enrolment: FaceEnrolment) -> None:
    if enrolment.photo:
        enrolment.photo.delete(save=False)


def face_template_delete(*, member: Member | int) -> int:
    """Delete the member's template and any photo still waiting (withdrawal, retention, deletion)."""
    for enrolment in FaceEnrolment.objects.filter(member=member).exclude(photo=""):
        _photo_delete(enrolment)
        enrolment.save(update_fields=["photo"])
    deleted, _ = FaceTemplate.objects.filter(member=member).delete()
    return deleted
