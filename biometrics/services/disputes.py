"""Disputed face checks: their probe frames are kept (encrypted) while staff look into them, and
deleted when the dispute closes or ``BIOMETRICS_DISPUTE_RETENTION_DAYS`` after it opened."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from biometrics.frames import frame_delete, frame_names_older_than
from biometrics.models import VerificationAttempt

# A frame file no attempt names, older than this, was left by a request that failed after saving
# it (its transaction rolled back): nothing will ever delete it but the sweep.
ORPHAN_AFTER = timedelta(hours=1)


def face_attempts_dispute_open(*, attempt_ids: Iterable[int]) -> int:
    """Keep these attempts' frames for a dispute; returns how many were newly flagged.

    Only frames not yet deleted can be kept: an attempt already decided has none left.
    """
    return VerificationAttempt.objects.filter(pk__in=list(attempt_ids), disputed=False).update(
        disputed=True, disputed_at=timezone.now()
    )


def face_attempt_dispute_close(*, attempt_id: int) -> bool:
    """Close a dispute and delete its frames at once; False when there was no open dispute."""
    with transaction.atomic():
        attempt = VerificationAttempt.objects.select_for_update().filter(pk=attempt_id).first()
        if attempt is None or not attempt.disputed or attempt.dispute_closed_at is not None:
            return False
        _frames_drop(attempt)
        attempt.dispute_closed_at = timezone.now()
        attempt.save(update_fields=["frames", "dispute_closed_at"])
    return True


def face_frames_sweep() -> int:
    """Delete the frames of disputes older than the retention period, and orphaned frame files;
    returns how many files went. Idempotent (the retention beat runs it hourly)."""
    cutoff = timezone.now() - timedelta(days=settings.BIOMETRICS_DISPUTE_RETENTION_DAYS)
    deleted = 0
    expired = VerificationAttempt.objects.filter(disputed=True, disputed_at__lt=cutoff).exclude(frames=[])
    for attempt_id in expired.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = VerificationAttempt.objects.select_for_update().get(pk=attempt_id)
            deleted += _frames_drop(attempt)
            attempt.save(update_fields=["frames"])
    named = {
        name
        for frames in VerificationAttempt.objects.exclude(frames=[]).values_list("frames", flat=True)
        for name in frames
    }
    for name in frame_names_older_than(timezone.now() - ORPHAN_AFTER):
        if name not in named:
            frame_delete(name)
            deleted += 1
    return deleted


def _frames_drop(attempt: VerificationAttempt) -> int:
    count = len(attempt.frames)
    for name in attempt.frames:
        frame_delete(name)
    attempt.frames = []
    return count
