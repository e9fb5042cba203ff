"""Getting a face decision back on its feet when the worker deciding it died.

The task is acknowledged late, but a worker killed outright (SIGKILL, a lost machine) leaves its
message with Redis until the broker's visibility timeout (an hour), and the beat's sweep waits a
minute: far too long for a customer standing at the kiosk. While the kiosk polls a booking whose
attempt is still pending after ``BIOMETRICS_REQUEUE_AFTER_SECONDS``, the attempt is queued again
(at most once per that period), so a worker that comes back, or any other worker, decides it
within seconds. Deciding twice is harmless: the task locks the attempt and leaves a decided one
alone.
"""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from biometrics.models import AttemptResult, VerificationAttempt
from vendingstore.queueing import delay_safely

# Past this the customer has left the kiosk; the beat's minute sweep still takes care of it.
NUDGE_WINDOW = timedelta(minutes=15)


def face_attempts_nudge(*, test_drive_id: int) -> int:
    """Queue again this booking's attempts pending for longer than the re-queue period; returns
    how many were queued. Cheap when there is nothing to do (one indexed query)."""
    period = settings.BIOMETRICS_REQUEUE_AFTER_SECONDS
    now = timezone.now()
    pending = VerificationAttempt.objects.filter(
        test_drive_id=test_drive_id,
        result=AttemptResult.PENDING,
        created_at__lt=now - timedelta(seconds=period),
        created_at__gt=now - NUDGE_WINDOW,
    ).values_list("pk", flat=True)
    queued = 0
    for attempt_id in pending:
        # One copy per period however many kiosks or web processes poll (the cache is shared).
        if cache.add(f"face-nudge:{attempt_id}", 1, timeout=period):
            queued += delay_safely("biometrics.tasks.face_verify_pickup", attempt_id)
    return queued
