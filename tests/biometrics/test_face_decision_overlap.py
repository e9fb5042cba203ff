"""The pickup decision follows the challenge's frames in a second thread while it embeds the probe
and checks it for spoofing (biometrics/services/pickup.py ``_challenge_followed_ahead``): the
decision is the one made one step after another, in the same order of precedence."""

import contextlib
import io
import threading
import uuid

import pytest
from PIL import Image

from biometrics.engine import AntiSpoofResult, AntiSpoofStatus
from biometrics.models import AttemptResult, VerificationAttempt
from biometrics.services import pickup
from testdrives.models import State, TestDrive
from testdrives.services.face import testdrive_face_check_start
from tests.biometrics.test_face_flow import attempt
from tests.fixtures.faces import burst, kiosk_frame, needs_faces

pytestmark = [pytest.mark.django_db, needs_faces]

MEMBER, OTHER = "img59.jpg", "img3.jpg"  # the enrolled member (img16's person D) and person B


def white() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(out, "JPEG")
    return out.getvalue()


def turn(name: str = MEMBER) -> list[bytes]:
    return [kiosk_frame(name)] * 3 + [kiosk_frame(name, mirror=True)] * 2


BURSTS = {
    "the member turning": (turn, (AttemptResult.MATCH, "")),
    "someone else": (lambda: burst(OTHER), (AttemptResult.NO_MATCH, "distance_above_threshold")),
    "no face": (lambda: [white()] * 3, (AttemptResult.RETAKE, "no_face")),
    "the member, then someone else turning": (
        lambda: [kiosk_frame(MEMBER)] * 3 + [kiosk_frame(OTHER, mirror=True)] * 2,
        (AttemptResult.NO_MATCH, "identity_changed"),
    ),
    "the face jumping across the picture": (
        lambda: (
            [kiosk_frame(MEMBER, centre=(160, 220))] * 3
            + [kiosk_frame(MEMBER, mirror=True, centre=(480, 220))] * 2
        ),
        (AttemptResult.RETAKE, "face_moved"),
    ),
    "a frame without the face": (
        lambda: [kiosk_frame(MEMBER)] * 2 + [white()] + [kiosk_frame(MEMBER, mirror=True)] * 2,
        (AttemptResult.RETAKE, "frame_refused"),
    ),
}


def decided(td: TestDrive, frames: list[bytes], capture) -> VerificationAttempt:
    TestDrive.objects.filter(pk=td.pk).update(state=State.CHECKED_IN)  # a new try each time
    return attempt(td, frames, capture)


def one_after_another(monkeypatch) -> None:
    """The decision as it was: the challenge follows its frames itself, when its turn comes."""
    monkeypatch.setattr(pickup, "_challenge_followed_ahead", lambda frames: contextlib.nullcontext())


def what_was_decided(made: VerificationAttempt) -> tuple:
    return made.result, made.reason, made.distance, made.liveness


@pytest.mark.parametrize("kind", sorted(BURSTS))
def test_the_decision_is_the_one_made_one_step_after_another(
    checked_in, monkeypatch, django_capture_on_commit_callbacks, kind
):
    make, expected = BURSTS[kind]
    frames = make()

    overlapped = decided(checked_in, frames, django_capture_on_commit_callbacks)
    one_after_another(monkeypatch)
    serial = decided(checked_in, frames, django_capture_on_commit_callbacks)

    assert (overlapped.result, overlapped.reason) == expected, overlapped.liveness
    assert what_was_decided(overlapped) == what_was_decided(serial)


def test_a_spoof_outranks_the_challenge_followed_meanwhile(
    checked_in, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pickup, "check_antispoof", lambda frame: AntiSpoofResult(AntiSpoofStatus.FAKE, 0.9))

    made = decided(checked_in, turn(), django_capture_on_commit_callbacks)

    assert (made.result, made.reason) == (AttemptResult.SPOOF, "presentation_attack_suspected")
    assert "challenge" not in made.liveness


def test_the_frames_are_followed_while_the_probe_is_embedded(
    checked_in, monkeypatch, django_capture_on_commit_callbacks
):
    following: list[str] = []
    follow = pickup.burst_follow

    def burst_follow(frames):
        following.append(threading.current_thread().name)
        return follow(frames)

    monkeypatch.setattr(pickup, "burst_follow", burst_follow)

    made = decided(checked_in, turn(), django_capture_on_commit_callbacks)

    assert made.result == AttemptResult.MATCH
    (thread,) = following  # once, in the decision's second thread
    assert thread.startswith("face-challenge-follow")
    assert made.timings_ms["follow"] > 0


def test_a_failure_while_following_fails_the_task_where_the_challenge_comes(
    checked_in, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(frames):
        raise RuntimeError("dlib failed")

    monkeypatch.setattr(pickup, "burst_follow", broken)
    with django_capture_on_commit_callbacks(execute=False):  # the service called as the task does
        made = testdrive_face_check_start(test_drive=checked_in, frames=turn(), request_key=uuid.uuid4())

    with pytest.raises(RuntimeError, match="dlib failed"):
        pickup.face_verify_pickup(attempt_id=made.pk)
    made.refresh_from_db()
    assert made.result == AttemptResult.PENDING  # rolled back: the task's retry decides it again


def test_a_failure_while_following_is_ignored_when_decided_before_the_challenge(
    checked_in, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(frames):
        raise RuntimeError("dlib failed")

    monkeypatch.setattr(pickup, "burst_follow", broken)

    made = decided(checked_in, burst(OTHER), django_capture_on_commit_callbacks)

    assert (made.result, made.reason) == (AttemptResult.NO_MATCH, "distance_above_threshold")


def test_no_thread_outlives_the_decision(checked_in, django_capture_on_commit_callbacks):
    before = set(threading.enumerate())

    for frames in (turn(), burst(OTHER)):
        decided(checked_in, frames, django_capture_on_commit_callbacks)

    assert set(threading.enumerate()) == before


def test_no_thread_is_started_when_no_challenge_is_asked_for(
    checked_in, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.BIOMETRICS_REQUIRE_CHALLENGE = False
    started: list[object] = []
    monkeypatch.setattr(pickup, "ThreadPoolExecutor", lambda *args, **kwargs: started.append(args))

    made = decided(checked_in, turn(), django_capture_on_commit_callbacks)

    assert made.result == AttemptResult.MATCH
    assert started == []
