"""The kiosk tells the truth: attempts left, and when the face check cannot be used, that the
remote operator has been alerted (an alert really goes out) and how to reach the store."""

import uuid

import numpy as np
import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from biometrics.crypto import template_encrypt
from biometrics.engine import Embedding
from biometrics.models import FaceTemplate, VerificationAttempt
from testdrives.services.kiosks import kiosk_create
from tests.biometrics.test_face_model_change import old_template
from tests.fixtures.world import TEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_kiosk(client, book, super_member, store, staff, clock, django_capture_on_commit_callbacks):
    """at_kiosk() -> (booking, status page html): the member checked in at a kiosk."""
    cache.clear()
    store.phone = "+86 21 5555 0100"
    store.save()

    def _at_kiosk():
        td = book(super_member)
        clock.move_to(TEN)
        _, token = kiosk_create(store=store, name="k", by=staff)
        client.post(reverse("kiosk:sign_in"), {"token": token})
        client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
        with django_capture_on_commit_callbacks(execute=True):
            page = client.get(reverse("kiosk:drive", args=[td.pickup_code])).content.decode()
        return td, page

    return _at_kiosk


def test_it_shows_how_many_face_attempts_are_left(at_kiosk, super_member, client) -> None:
    FaceTemplate.objects.create(
        member=super_member,
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.ones(128), "SFace")),
    )
    td, page = at_kiosk()
    assert 'data-attempts-left="5"' in page
    # Two failures count; a retake (a blurred frame, no movement) does not.
    for result in ("no_match", "spoof", "retake"):
        VerificationAttempt.objects.create(test_drive=td, request_key=uuid.uuid4(), result=result)

    page = client.get(reverse("kiosk:drive", args=[td.pickup_code])).content.decode()

    assert 'data-attempts-left="3"' in page
    assert "3 face attempts left." in page


def test_without_a_usable_face_photo_the_operator_is_alerted_once_and_the_page_says_so(
    at_kiosk, super_member, client, django_capture_on_commit_callbacks
) -> None:
    old_template(super_member)

    td, page = at_kiosk()

    assert "data-id-check" in page
    assert "previous face check" in page
    assert "remote operator has been alerted" in page
    assert "+86 21 5555 0100" in page
    assert "member of staff" not in page
    assert len(mail.outbox) == 1
    assert "ID check needed" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true")
    assert len(mail.outbox) == 1  # the page polls; the operator is alerted once


def test_the_customer_can_call_the_operator_when_the_camera_fails(
    at_kiosk, super_member, client, django_capture_on_commit_callbacks
) -> None:
    FaceTemplate.objects.create(
        member=super_member,
        model="SFace",
        vector_encrypted=template_encrypt(Embedding(np.ones(128), "SFace")),
    )
    td, page = at_kiosk()
    assert "data-call-operator" in page
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("kiosk:call_operator", args=[td.pickup_code]), follow=True)

    assert "remote operator has been alerted" in response.content.decode()
    assert len(mail.outbox) == 1
