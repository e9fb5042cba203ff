"""Templates record their model: an old model's template is never compared, its member is asked to
retake the photo, and the kiosk takes the ID-check path and says why."""

import io
import uuid

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from biometrics.crypto import template_encrypt
from biometrics.engine import Embedding
from biometrics.models import AttemptResult, FaceTemplate, VerificationAttempt
from biometrics.services import face_enrol, face_verify_pickup
from biometrics.services.pickup import TemplateOutdated
from testdrives.models import State, TestDrive
from testdrives.services.face import testdrive_face_check_start
from tests.fixtures.faces import needs_faces, photo
from tests.fixtures.world import make_member

pytestmark = pytest.mark.django_db


def old_template(member) -> FaceTemplate:
    """A template as today's Dlib engine made them before the switch to SFace."""
    return FaceTemplate.objects.create(
        member=member, model="Dlib", vector_encrypted=template_encrypt(Embedding(np.full(128, 0.05), "Dlib"))
    )


def test_the_report_counts_the_members_who_must_re_enrol(clock) -> None:
    old_template(make_member(score=720))
    old_template(make_member(score=720))
    FaceTemplate.objects.create(
        member=make_member(score=720),
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.full(128, 0.05), "SFace")),
    )
    out = io.StringIO()

    call_command("biometrics_reenrol_report", stdout=out)

    assert out.getvalue().splitlines()[0] == "2 members must re-enrol for SFace"
    assert "Dlib: 2" in out.getvalue()


def test_the_portal_asks_a_member_with_an_old_template_to_retake_the_photo(client, super_member) -> None:
    old_template(super_member)
    client.force_login(super_member.user)

    page = client.get(reverse("testdrives:membership")).content.decode()

    assert "data-face-retake" in page
    assert reverse("biometrics:enrol") in page


def test_a_member_with_a_current_template_is_not_asked(client, super_member) -> None:
    FaceTemplate.objects.create(
        member=super_member,
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.full(128, 0.05), "SFace")),
    )
    client.force_login(super_member.user)

    assert "data-face-retake" not in client.get(reverse("testdrives:membership")).content.decode()


def test_the_api_tells_the_app_to_ask_for_a_new_photo(super_member) -> None:
    old_template(super_member)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=super_member.user)[1]}")

    status = api.get("/api/v1/me/face/").json()

    assert status["retake_required"] is True
    assert status["enrolled"] is False


@needs_faces
def test_a_new_photo_replaces_the_old_models_template(
    super_member, engine, django_capture_on_commit_callbacks
):
    from biometrics.services import consent_give

    old_template(super_member)
    consent_give(member=super_member, language="en")

    with django_capture_on_commit_callbacks(execute=True):
        face_enrol(member=super_member, photo=photo("img16.jpg"))

    assert list(FaceTemplate.objects.filter(member=super_member).values_list("model", flat=True)) == ["SFace"]


def test_the_kiosk_takes_the_id_check_path_with_an_old_template_and_says_why(check_in, super_member) -> None:
    old_template(super_member)
    td = check_in(super_member)

    with pytest.raises(TemplateOutdated) as refused:
        testdrive_face_check_start(test_drive=td, frames=[b"frame"], request_key=uuid.uuid4())

    assert refused.value.code == "template_outdated"
    assert "previous face check" in str(refused.value.message)
    assert TestDrive.objects.get(pk=td.pk).state == State.CHECKED_IN
    assert not VerificationAttempt.objects.exists()


def test_an_attempt_whose_template_changed_model_meanwhile_is_not_compared(check_in, super_member) -> None:
    FaceTemplate.objects.create(
        member=super_member,
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.full(128, 0.05), "SFace")),
    )
    td = check_in(super_member)
    made = testdrive_face_check_start(test_drive=td, frames=[b"x"], request_key=uuid.uuid4())
    FaceTemplate.objects.filter(member=super_member).update(model="Dlib")

    assert face_verify_pickup(attempt_id=made.pk) == AttemptResult.NO_TEMPLATE
    made.refresh_from_db()
    assert made.reason == "template_outdated"
    assert made.distance is None
