"""While the kiosk polls, a face decision pending too long is queued again, once per period."""

import uuid
from datetime import timedelta

import numpy as np
import pytest
from django.core.cache import cache

from biometrics.crypto import template_encrypt
from biometrics.engine import Embedding
from biometrics.models import FaceTemplate, VerificationAttempt
from biometrics.services import face_attempts_nudge
from biometrics.tasks import face_verify_pickup
from testdrives.services.face import testdrive_face_check_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch) -> list:
    sent: list = []
    monkeypatch.setattr(face_verify_pickup, "delay", lambda *args: sent.append(args))
    cache.clear()
    return sent


@pytest.fixture
def pending(check_in, super_member, queued):
    FaceTemplate.objects.create(
        member=super_member,
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.ones(128), "SFace")),
    )
    made = testdrive_face_check_start(
        test_drive=check_in(super_member), frames=[b"x"], request_key=uuid.uuid4()
    )
    queued.clear()  # the first queueing, which a killed worker took with it
    return made


def test_a_fresh_attempt_is_left_to_its_worker(pending, queued) -> None:
    assert face_attempts_nudge(test_drive_id=pending.test_drive_id) == 0
    assert queued == []


def test_an_attempt_pending_past_the_period_is_queued_again_once_per_period(
    pending, queued, clock, settings
) -> None:
    clock.shift(settings.BIOMETRICS_REQUEUE_AFTER_SECONDS + 1)

    assert face_attempts_nudge(test_drive_id=pending.test_drive_id) == 1
    assert face_attempts_nudge(test_drive_id=pending.test_drive_id) == 0  # the next poll, same period
    assert queued == [(pending.pk,)]


def test_a_decided_or_abandoned_attempt_is_not_queued(pending, queued, clock) -> None:
    VerificationAttempt.objects.filter(pk=pending.pk).update(result="no_match")
    clock.shift(60)
    assert face_attempts_nudge(test_drive_id=pending.test_drive_id) == 0

    VerificationAttempt.objects.filter(pk=pending.pk).update(result="pending")
    clock.shift(timedelta(hours=1))
    assert face_attempts_nudge(test_drive_id=pending.test_drive_id) == 0  # the beat's sweep has it
