"""Face pickup at the kiosk: a burst of frames, decided 1:1 against the booking member's template.

The kiosk has already taken the pickup code (something the member has); the face is the second
factor. A decision never searches other members' templates. Biometrics returns a verdict
(``face_attempt_decided``); testdrives moves the booking.
"""

import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from biometrics import tasks  # a module object: tasks import these services in turn
from biometrics.crypto import template_decrypt
from biometrics.engine import (
    AntiSpoofStatus,
    ChallengeCode,
    Embedding,
    FaceRefused,
    Frame,
    ImageInput,
    burst_follow,
    check_antispoof,
    check_challenge,
    compare,
    embed,
    frame_of,
)
from biometrics.frames import frame_delete, frame_read, frame_save
from biometrics.models import AttemptResult, FaceTemplate, VerificationAttempt
from biometrics.selectors import face_attempt_for_request, face_pickup_unavailable_reason
from biometrics.signals import face_attempt_decided
from vendingstore.api_errors import ApplicationError
from vendingstore.queueing import delay_on_commit, delay_safely


class NotEnrolled(ApplicationError):
    status_code = 409
    code = "not_enrolled"
    default_message = _("We have no face photo on file for you. The remote operator checks your ID instead.")


class TemplateOutdated(NotEnrolled):
    code = "template_outdated"
    default_message = _(
        "Your face photo was taken for our previous face check and cannot be used with the new one. "
        "The remote operator checks your ID instead; please take a new face photo in the app."
    )


def _check_template_usable(*, member_id: int) -> None:
    """Raise NotEnrolled or TemplateOutdated when this member's pickup cannot use the face check."""
    reason = face_pickup_unavailable_reason(member=member_id)
    if reason == "template_outdated":
        raise TemplateOutdated()
    if reason is not None:
        raise NotEnrolled()


def face_attempt_start(
    *, member_id: int, booking_id: int, frames: Sequence[bytes], request_key: uuid.UUID
) -> VerificationAttempt:
    """Record an attempt for booking ``booking_id`` with its frames; a worker decides it after commit.

    Call inside the caller's transaction, with the booking locked and its state checked (the
    booking is testdrives'). The same ``request_key`` twice returns the first attempt. Raises
    ``NotEnrolled`` (or ``TemplateOutdated``) when the member has no template the current model
    can compare with (the remote operator checks the documents instead).
    """
    existing = face_attempt_for_request(test_drive=booking_id, request_key=request_key)
    if existing is not None:
        return existing
    _check_template_usable(member_id=member_id)
    attempt = VerificationAttempt.objects.create(test_drive_id=booking_id, request_key=request_key)
    # Frames go to private, encrypted storage that no URL serves (biometrics.frames).
    attempt.frames = [frame_save(frame) for frame in frames[: settings.BIOMETRICS_MAX_BURST_FRAMES]]
    attempt.save(update_fields=["frames"])
    delay_on_commit(tasks.face_verify_pickup, attempt.pk)
    return attempt


def face_verify_pickup(*, attempt_id: int) -> str:
    """Decide one attempt and announce the verdict (``face_attempt_decided``), on which testdrives
    moves the booking: verified, back for another try, or locked for staff.

    Idempotent: a decided attempt is left alone. The attempt row is locked while deciding, so a
    redelivered task waits and then finds it decided; a worker killed mid-way leaves it pending,
    and the redelivery decides it.
    """
    taken, mark = timezone.now(), time.perf_counter()
    with transaction.atomic():
        attempt = (
            VerificationAttempt.objects.select_for_update(of=("self",))
            .select_related("test_drive")
            .get(pk=attempt_id)
        )
        if attempt.result != AttemptResult.PENDING:
            return attempt.result
        locked = _ms(mark)
        _decide(attempt)
        attempt.timings_ms = {
            # From the attempt's creation in the kiosk's request to a worker taking it: the frames
            # stored, the commit, the broker and the pool's dispatch (two machines' clocks).
            "wait": round((taken - attempt.created_at).total_seconds() * 1000, 1),
            "lock": locked,
            **attempt.timings_ms,
        }
        attempt.decided_at = timezone.now()
        _frames_delete(attempt)
        attempt.save()
        face_attempt_decided.send(
            sender=VerificationAttempt,
            attempt_id=attempt.pk,
            booking_id=attempt.test_drive_id,
            verdict=attempt.result,
            reason=attempt.reason,
            note=_note(attempt),
        )
    return attempt.result


def _decide(attempt: VerificationAttempt) -> None:
    """Fill in the attempt's result, reason, numbers and timings (milliseconds)."""
    timings: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    template_row = FaceTemplate.objects.filter(member_id=attempt.test_drive.member_id).first()
    if template_row is None:
        attempt.result, attempt.reason = AttemptResult.NO_TEMPLATE, "not_enrolled"
        return
    if template_row.model != settings.BIOMETRICS_MODEL:
        # Another model's vector cannot be compared with today's probe: the non-face path.
        attempt.result, attempt.reason = AttemptResult.NO_TEMPLATE, "template_outdated"
        return
    template = template_decrypt(template_row.vector_encrypted, model=template_row.model)
    frames: list[bytes | Frame] = [_read(name) for name in attempt.frames]
    timings["read"] = _ms(started)  # the template and the frames, decrypted
    mark = time.perf_counter()
    try:
        # Decoded and detected once: the embedding, anti-spoofing and the challenge look at it again.
        frames[0] = frame_of(frames[0])
    except FaceRefused as refused:
        _retake(attempt, refused, timings={**timings, "embed": _ms(mark)})
        return
    with _challenge_followed_ahead(frames) as followed:
        try:
            probe = embed(frames[0])
        except FaceRefused as refused:
            _retake(attempt, refused, timings={**timings, "embed": _ms(mark)})
            return
        timings["embed"] = _ms(mark)
        comparison = compare(probe, template)
        attempt.distance, attempt.threshold, attempt.model = (
            comparison.distance,
            comparison.threshold,
            probe.model,
        )
        if not comparison.match:
            attempt.result, attempt.reason = AttemptResult.NO_MATCH, "distance_above_threshold"
        else:
            attempt.result, attempt.reason = _liveness(attempt, frames, template, timings, followed)
    timings["total"] = _ms(started)
    # This process's CPU time for the decision (both threads): what it costs, whatever else the
    # machine runs.
    timings["cpu"] = round((time.process_time() - cpu) * 1000, 1)
    attempt.timings_ms = timings


def _retake(attempt: VerificationAttempt, refused: FaceRefused, *, timings: dict[str, float]) -> None:
    attempt.result, attempt.reason, attempt.liveness = AttemptResult.RETAKE, refused.code.value, {}
    attempt.timings_ms = timings


Followed = Future[tuple[list[ImageInput | Frame], float]]


@contextlib.contextmanager
def _challenge_followed_ahead(frames: list[bytes | Frame]) -> Iterator[Followed | None]:
    """The challenge's frames followed (``burst_follow``) in a second thread, started now, while
    this one embeds the probe and checks it for spoofing; None when no challenge is asked for
    (nothing to follow).

    dlib and OpenCV let go of the GIL while they compute, so with an idle core the two take the
    longer one's time. The decision is unchanged: the challenge takes the followed frames where it
    comes in the decision's order, and an attempt decided before it (no match, spoof, retake)
    drops them (and an exception of theirs), the thread waited for at the end of the ``with``
    block. The thread is started per decision in the pool child, never before the prefork pool
    forks (``warmup.py``). ``burst_follow`` uses no database: a thread has its own connection.
    """
    if not settings.BIOMETRICS_REQUIRE_CHALLENGE:
        yield None
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="face-challenge-follow") as pool:
        yield pool.submit(_follow_timed, tuple(frames))


def _follow_timed(frames: Sequence[bytes | Frame]) -> tuple[list[ImageInput | Frame], float]:
    mark = time.perf_counter()
    return burst_follow(frames), _ms(mark)


def _liveness(
    attempt: VerificationAttempt,
    frames: list[bytes | Frame],
    template: Embedding,
    timings: dict,
    followed: Followed | None = None,
) -> tuple[str, str]:
    """Anti-spoofing on the probe (when its weights are installed), then the blink/turn challenge
    (on ``followed``'s frames when they were followed ahead)."""
    mark = time.perf_counter()
    spoof = check_antispoof(frames[0])
    timings["antispoof"] = _ms(mark)
    attempt.liveness = {"antispoof": spoof.status.value, "antispoof_score": spoof.score}
    if spoof.status == AntiSpoofStatus.FAKE:
        return AttemptResult.SPOOF, "presentation_attack_suspected"
    if not settings.BIOMETRICS_REQUIRE_CHALLENGE:
        return AttemptResult.MATCH, ""
    mark = time.perf_counter()
    burst: Sequence[ImageInput | Frame] = frames
    if followed is not None:
        burst, timings["follow"] = followed.result()
    challenge = check_challenge(burst, reference=template)
    timings["challenge"] = _ms(mark)
    attempt.liveness["challenge"] = challenge.code.value
    # The worst distance of the frames that showed the movement: closed eyes or a turned head
    # move it towards the threshold, which only real bursts can calibrate.
    attempt.liveness["challenge_distance"] = challenge.detail.get("max_distance")
    if challenge.passed:
        return AttemptResult.MATCH, ""
    if challenge.code == ChallengeCode.IDENTITY_CHANGED:
        return AttemptResult.NO_MATCH, challenge.code.value
    return AttemptResult.RETAKE, challenge.code.value


def _note(attempt: VerificationAttempt) -> str:
    if attempt.result == AttemptResult.MATCH:
        return f"distance {attempt.distance:.3f}"
    return f"{attempt.result}: {attempt.reason}"


def _read(name: str) -> bytes:
    return frame_read(name)


def _frames_delete(attempt: VerificationAttempt) -> None:
    """Probe frames go right after the decision, unless staff flagged the attempt for a dispute."""
    if attempt.disputed:
        return
    for name in attempt.frames:
        frame_delete(name)
    attempt.frames = []


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def face_attempts_requeue_stale(*, older_than_seconds: int = 60) -> int:
    """Queue again every attempt still undecided after ``older_than_seconds``; returns how many.

    A worker killed mid-task hands its task back at once when it was a pool process, but a whole
    worker machine lost leaves the message with the broker until its visibility timeout (an
    hour); the customer at the kiosk cannot wait that long. Deciding twice is harmless: the task
    locks the attempt and leaves a decided one alone.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    stale = VerificationAttempt.objects.filter(result=AttemptResult.PENDING, created_at__lt=cutoff)
    return sum(delay_safely(tasks.face_verify_pickup, pk) for pk in stale.values_list("pk", flat=True))
