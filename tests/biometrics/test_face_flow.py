"""Enrolment and pickup through the services, on the real engine and the shared photos, with
tasks run in-process (tests/integration runs the pickup through a real worker)."""

import io
import uuid
from pathlib import Path

import pytest
from django.db import connection
from PIL import Image

from biometrics.frames import frames_storage
from biometrics.models import AttemptResult, FaceEnrolment, FaceTemplate, VerificationAttempt
from biometrics.services import consent_withdraw, face_enrol
from biometrics.services.enrolment import ConsentRequired
from biometrics.services.pickup import NotEnrolled
from testdrives.models import State, TestDrive
from testdrives.services.face import testdrive_face_check_start
from tests.fixtures.faces import FACES, burst, kiosk_frame, needs_faces, photo

pytestmark = [pytest.mark.django_db, needs_faces]


def attempt(td: TestDrive, frames: list[bytes], capture) -> VerificationAttempt:
    with capture(execute=True):
        made = testdrive_face_check_start(test_drive=td, frames=frames, request_key=uuid.uuid4())
    made.refresh_from_db()
    return made


def test_enrolment_makes_an_encrypted_template_and_deletes_the_photo(enrolled):
    enrolment = FaceEnrolment.objects.get(member=enrolled)
    template = FaceTemplate.objects.get(member=enrolled)

    assert enrolment.status == "done"
    assert not enrolment.photo
    with connection.cursor() as cursor:
        cursor.execute("SELECT vector_encrypted FROM biometrics_facetemplate WHERE id = %s", [template.pk])
        stored = bytes(cursor.fetchone()[0])
    assert stored.startswith(b"gAAAA")  # a Fernet token, not 128 floats
    assert len(stored) > 128 * 4


def test_enrolment_needs_consent_and_withdrawal_deletes_the_template(enrolled, engine):
    consent_withdraw(member=enrolled)

    assert not FaceTemplate.objects.filter(member=enrolled).exists()
    with pytest.raises(ConsentRequired):
        face_enrol(member=enrolled, photo=photo("img2.jpg"))


def test_a_photo_with_two_faces_is_refused_with_a_retake_reason(
    super_member, engine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        face_enrol(member=super_member, photo=(FACES / "couple.jpg").read_bytes())

    enrolment = FaceEnrolment.objects.get(member=super_member)
    assert (enrolment.status, enrolment.reason) == ("refused", "multiple_faces")
    assert not FaceTemplate.objects.exists()
    assert not enrolment.photo


def test_the_members_own_face_verifies_and_the_car_is_sent_for(
    checked_in, django_capture_on_commit_callbacks
):
    stored_before = (
        set(frames_storage().listdir("")[1]) if Path(frames_storage().location).is_dir() else set()
    )
    made = attempt(checked_in, burst("img59.jpg"), django_capture_on_commit_callbacks)  # D again

    assert made.result == AttemptResult.MATCH, (made.reason, made.liveness)
    assert made.distance < made.threshold
    assert made.timings_ms["embed"] > 0
    assert made.timings_ms["cpu"] > 0
    assert 0 < made.liveness["challenge_distance"] < made.threshold
    assert {"wait", "lock", "read", "antispoof", "challenge", "total"} <= set(made.timings_ms)
    assert made.frames == []
    assert set(frames_storage().listdir("")[1]) <= stored_before  # this attempt's frames are gone
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.READY


def test_an_impostor_fails_and_five_failures_lock_the_booking(checked_in, django_capture_on_commit_callbacks):
    for n in range(1, 6):
        made = attempt(checked_in, burst("img3.jpg"), django_capture_on_commit_callbacks)  # person B
        assert made.result == AttemptResult.NO_MATCH
        expected = State.LOCKED if n == 5 else State.CHECKED_IN
        assert TestDrive.objects.get(pk=checked_in.pk).state == expected


def test_a_blurred_or_faceless_probe_asks_for_a_retake_without_counting(
    checked_in, django_capture_on_commit_callbacks
):
    white = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(white, "JPEG")

    made = attempt(checked_in, [white.getvalue()] * 3, django_capture_on_commit_callbacks)

    assert (made.result, made.reason) == (AttemptResult.RETAKE, "no_face")
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.CHECKED_IN


def test_a_face_that_jumps_mid_burst_asks_for_a_retake_without_counting(
    checked_in, django_capture_on_commit_callbacks
):
    from biometrics.selectors import face_attempt_message

    frames = [kiosk_frame("img59.jpg", centre=(160, 220))] * 3 + [
        kiosk_frame("img59.jpg", mirror=True, centre=(480, 220))
    ] * 2  # the member's own face, but across the picture between two frames 250 ms apart

    made = attempt(checked_in, frames, django_capture_on_commit_callbacks)

    assert (made.result, made.reason) == (AttemptResult.RETAKE, "face_moved")
    assert "stay where you are" in face_attempt_message(made)
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.CHECKED_IN


def test_a_double_submit_makes_one_attempt(checked_in, django_capture_on_commit_callbacks):
    key = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        first = testdrive_face_check_start(test_drive=checked_in, frames=burst("img59.jpg"), request_key=key)
    second = testdrive_face_check_start(test_drive=checked_in, frames=burst("img59.jpg"), request_key=key)

    assert first.pk == second.pk
    assert VerificationAttempt.objects.count() == 1


def test_a_member_without_a_template_is_sent_to_staff(check_in, super_member):
    td = check_in(super_member)

    with pytest.raises(NotEnrolled):
        testdrive_face_check_start(test_drive=td, frames=burst("img2.jpg"), request_key=uuid.uuid4())
    assert TestDrive.objects.get(pk=td.pk).state == State.CHECKED_IN


def test_a_photo_held_to_the_camera_is_refused_as_a_presentation_attack(
    check_in, super_member, engine, django_capture_on_commit_callbacks
):
    from biometrics.engine import AntiSpoofStatus, check_antispoof
    from biometrics.selectors import face_attempt_message

    spoof = FACES / "spoof"
    if check_antispoof((spoof / "image_F1.jpg").read_bytes()).status == AntiSpoofStatus.UNAVAILABLE:
        pytest.skip("anti-spoofing weights are not installed (SHARED_DIR/models/antispoof)")
    with django_capture_on_commit_callbacks(execute=True):
        face_enrol(member=super_member, photo=(spoof / "image_T1.jpg").read_bytes())  # the real face
    td = check_in(super_member)

    # image_F2: SFace finds the enrolled face in it (0.46); in image_F1 it does not (0.79), so F1
    # already fails as no match, before anti-spoofing is asked.
    made = attempt(td, [(spoof / "image_F2.jpg").read_bytes()] * 3, django_capture_on_commit_callbacks)

    assert made.result == AttemptResult.SPOOF
    assert made.distance < made.threshold  # the same person's face, but shown on a photo or screen
    assert TestDrive.objects.get(pk=td.pk).state == State.CHECKED_IN
    assert "photo or a screen" in face_attempt_message(made)


def test_an_attempt_left_pending_by_a_lost_worker_is_decided_once_requeued(
    checked_in, clock, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from biometrics.services import face_attempts_requeue_stale

    # The worker died before deciding: the attempt exists, its task never ran.
    with django_capture_on_commit_callbacks(execute=False):
        made = testdrive_face_check_start(
            test_drive=checked_in, frames=burst("img59.jpg"), request_key=uuid.uuid4()
        )
    clock.shift(timedelta(seconds=30))
    assert face_attempts_requeue_stale() == 0  # not stale yet
    clock.shift(timedelta(seconds=31))

    with django_capture_on_commit_callbacks(execute=True):
        assert face_attempts_requeue_stale() == 1
    assert face_attempts_requeue_stale() == 0
    made.refresh_from_db()
    assert made.result == AttemptResult.MATCH
    assert TestDrive.objects.get(pk=checked_in.pk).state == State.READY


def test_an_enrolment_left_pending_by_a_lost_task_is_decided_once_requeued(
    super_member, engine, clock, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from biometrics.services import face_attempts_requeue_stale, face_enrolments_requeue_stale

    # The broker lost the task: the enrolment and its photo wait, nothing decides them.
    with django_capture_on_commit_callbacks(execute=False):
        enrolment = face_enrol(member=super_member, photo=photo("img16.jpg"))
    clock.shift(timedelta(seconds=30))
    assert face_enrolments_requeue_stale() == 0  # not stale yet
    clock.shift(timedelta(seconds=31))

    assert face_attempts_requeue_stale() == 0  # attempts only: the enrolment is not its business
    with django_capture_on_commit_callbacks(execute=True):
        assert face_enrolments_requeue_stale() == 1
    assert face_enrolments_requeue_stale() == 0
    enrolment.refresh_from_db()
    assert enrolment.status == "done"
    assert FaceTemplate.objects.filter(member=super_member).exists()
