"""Kiosk frames are never public: encrypted, outside MEDIA_ROOT, named at random, deleted after the
decision; a disputed attempt's frames until the dispute closes or its retention ends."""

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from biometrics.frames import frame_read, frame_save, frames_storage
from biometrics.models import VerificationAttempt
from biometrics.services import (
    face_attempt_dispute_close,
    face_attempts_dispute_open,
    face_frames_sweep,
)
from biometrics.tasks import biometrics_retention_sweep
from testdrives.services.face import testdrive_face_check_start

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"a face" * 100


@pytest.fixture(autouse=True)
def clean_frames():
    storage = frames_storage()
    yield
    if Path(storage.location).is_dir():
        for name in storage.listdir("")[1]:
            storage.delete(name)


@pytest.fixture
def pending(check_in, super_member):
    import numpy as np

    from biometrics.crypto import template_encrypt
    from biometrics.engine import Embedding
    from biometrics.models import FaceTemplate

    FaceTemplate.objects.create(
        member=super_member,
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.ones(128), "SFace")),
    )
    td = check_in(super_member)
    # Not run: the attempt stays pending with its frames, as while a worker decides it.
    return testdrive_face_check_start(test_drive=td, frames=[JPEG, JPEG], request_key=uuid.uuid4())


def test_frames_are_stored_encrypted_outside_media_root_under_random_names(pending, settings) -> None:
    location = Path(frames_storage().location)

    assert not location.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert len(pending.frames) == 2
    for name in pending.frames:
        stored = (location / name).read_bytes()
        assert not stored.startswith(b"\xff\xd8")  # no JPEG on disk
        assert b"a face" not in stored
        assert len(name.split(".")[0]) == 32  # a random UUID, not the attempt's sequential id
        assert frame_read(name) == JPEG


def test_no_url_serves_a_pending_attempts_frames(client, admin_client, pending, settings) -> None:
    name = pending.frames[0]
    urls = [
        f"{settings.MEDIA_URL}{name}",
        f"{settings.MEDIA_URL}face-frames/{name}",
        f"{settings.MEDIA_URL}face-probes/{pending.pk}-0.jpg",
        f"{settings.STATIC_URL}{name}",
        f"/{name}",
    ]

    for url in urls:
        for who in (client, admin_client):
            response = who.get(url)
            assert response.status_code == 404, url
            assert JPEG not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_a_frames_folder_inside_media_root_is_refused(settings) -> None:
    settings.BIOMETRICS_FRAMES_DIR = Path(settings.MEDIA_ROOT) / "frames"

    with pytest.raises(ImproperlyConfigured, match="served"):
        frame_save(JPEG)


def test_a_disputed_attempts_frames_are_kept_until_the_dispute_closes(pending) -> None:
    from biometrics.services import face_verify_pickup

    face_attempts_dispute_open(attempt_ids=[pending.pk])
    face_verify_pickup(attempt_id=pending.pk)  # decided (the frames are not faces: a retake)
    pending.refresh_from_db()
    assert pending.result != "pending"
    assert [frame_read(name) for name in pending.frames] == [JPEG, JPEG]

    assert face_attempt_dispute_close(attempt_id=pending.pk) is True

    pending.refresh_from_db()
    assert pending.frames == []
    assert pending.dispute_closed_at is not None
    assert frames_storage().listdir("")[1] == []
    assert face_attempt_dispute_close(attempt_id=pending.pk) is False


def test_a_disputes_frames_go_after_the_retention_period(pending, settings) -> None:
    face_attempts_dispute_open(attempt_ids=[pending.pk])
    days = settings.BIOMETRICS_DISPUTE_RETENTION_DAYS
    VerificationAttempt.objects.filter(pk=pending.pk).update(
        disputed_at=timezone.now() - timedelta(days=days - 1)
    )

    assert face_frames_sweep() == 0
    VerificationAttempt.objects.filter(pk=pending.pk).update(
        disputed_at=timezone.now() - timedelta(days=days + 1)
    )

    assert biometrics_retention_sweep() == 2
    assert VerificationAttempt.objects.get(pk=pending.pk).frames == []
    assert frames_storage().listdir("")[1] == []


def test_an_orphaned_frame_file_is_swept_after_an_hour(pending) -> None:
    import os

    orphan = frame_save(JPEG)
    path = Path(frames_storage().path(orphan))
    an_hour_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(path, (an_hour_ago, an_hour_ago))

    assert face_frames_sweep() == 1
    assert not path.exists()
    assert all(frames_storage().exists(name) for name in pending.frames)  # a pending attempt's stay
