"""Face enrolment on the portal and API, the kiosk camera endpoint, and bad uploads."""

import io
import uuid

import pytest
from django.urls import reverse
from django.utils.html import escape
from knox.models import AuthToken
from PIL import Image
from rest_framework.test import APIClient

from biometrics.engine import MESSAGES, QualityCode
from biometrics.models import EnrolmentStatus, FaceEnrolment, FaceTemplate, VerificationAttempt
from biometrics.services import consent_withdraw
from testdrives.models import State, TestDrive
from testdrives.services.kiosks import kiosk_create
from tests.fixtures.faces import FACES, burst, needs_faces, photo
from tests.fixtures.world import TEN, make_member
from tests.images import png_header_claiming

pytestmark = pytest.mark.django_db


def jpeg(width: int = 64, height: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "grey").save(out, "JPEG")
    return out.getvalue()


BAD = {
    "not an image": b"%PDF-1.4 definitely not a photo",
    "truncated": jpeg(800, 600)[:400],
    # A tiny PNG declaring 40 000 × 40 000 pixels (encoding a real one took 6 s and 1.5 GB at import).
    "decompression bomb": png_header_claiming(40_000, 40_000),
    "fifty megabytes": b"\xff\xd8" + b"0" * (50 * 1024 * 1024),
}


def upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def api(super_member) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=super_member.user)[1]}")
    return client


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_upload_is_refused_with_a_clear_answer_and_nothing_stored(api, kind):
    response = api.post("/api/v1/me/face/", {"photo": upload("x.jpg", BAD[kind])}, format="multipart")

    assert response.status_code == 400
    assert response.data["code"] in ("photo_unreadable", "photo_too_large")
    assert response.data["detail"]
    assert not FaceEnrolment.objects.exists()


@needs_faces
def test_enrolment_through_the_api_never_returns_the_template(
    api, super_member, engine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/me/face/", {"photo": upload("me.jpg", photo("img16.jpg"))}, format="multipart"
        )

    assert response.status_code == 202
    status = api.get("/api/v1/me/face/").data
    assert status["enrolled"] is True
    assert set(status) == {
        "consent",
        "enrolled",
        "retake_required",
        "latest_status",
        "retake_reason",
        "retake_message",
    }
    assert FaceTemplate.objects.filter(member=super_member).exists()


def test_enrolment_without_consent_is_refused(api, super_member):
    consent_withdraw(member=super_member)

    response = api.post("/api/v1/me/face/", {"photo": upload("me.jpg", jpeg())}, format="multipart")

    assert response.status_code == 409
    assert response.data["code"] == "consent_required"


@needs_faces
def test_the_enrol_page_shows_a_retake_reason_for_a_group_photo(
    client, super_member, engine, django_capture_on_commit_callbacks
):
    client.force_login(super_member.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("biometrics:enrol"), {"photo": upload("g.jpg", (FACES / "couple.jpg").read_bytes())}
        )

    html = client.get(reverse("biometrics:enrol")).content.decode()

    assert 'data-latest="refused"' in html
    assert 'data-enrolled="no"' in html
    assert escape(str(MESSAGES[QualityCode.MULTIPLE_FACES])) in html
    assert "hx-trigger" not in html  # decided: the status stops polling


def test_the_enrol_status_polls_while_the_photo_is_checked_and_stops_once_decided(client, super_member):
    client.force_login(super_member.user)
    enrolment = FaceEnrolment.objects.create(member=super_member)

    pending = client.get(reverse("biometrics:enrol"), HTTP_HX_REQUEST="true").content.decode()
    enrolment.status = EnrolmentStatus.DONE
    enrolment.save()
    decided = client.get(reverse("biometrics:enrol"), HTTP_HX_REQUEST="true").content.decode()

    # The partial replaces itself (outerHTML): the pending one carries the poll, the decided one not.
    assert pending.lstrip().startswith('<section id="enrol-status"')
    assert 'hx-trigger="every 2s"' in pending
    assert 'hx-swap="outerHTML"' in pending
    assert 'data-latest="done"' in decided
    assert "hx-trigger" not in decided


@needs_faces
def test_the_api_gives_the_retake_reason_and_message_of_a_refused_photo(
    api, engine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/v1/me/face/",
            {"photo": upload("g.jpg", (FACES / "couple.jpg").read_bytes())},
            format="multipart",
        )

    status = api.get("/api/v1/me/face/").data

    assert status["latest_status"] == "refused"
    assert status["enrolled"] is False
    assert status["retake_reason"] == "multiple_faces"
    assert status["retake_message"] == str(MESSAGES[QualityCode.MULTIPLE_FACES])


@needs_faces
def test_the_kiosk_takes_a_burst_and_the_member_moves_on(
    client, book, super_member, store, staff, clock, engine, django_capture_on_commit_callbacks
):
    from biometrics.services import face_enrol

    with django_capture_on_commit_callbacks(execute=True):
        face_enrol(member=super_member, photo=photo("img16.jpg"))
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="k", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    page = client.get(reverse("kiosk:drive", args=[td.pickup_code])).content.decode()
    assert 'data-face-ready="yes"' in page

    key = str(uuid.uuid4())
    frames = [upload(f"f{i}.jpg", data) for i, data in enumerate(burst("img59.jpg"))]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("kiosk:face", args=[td.pickup_code]),
            {"frames": frames, "request_key": key},
            HTTP_HX_REQUEST="true",
        )

    assert response.status_code == 204
    assert TestDrive.objects.get(pk=td.pk).state == State.READY
    assert VerificationAttempt.objects.get(test_drive=td).result == "match"


def test_the_kiosk_refuses_a_bad_frame_and_stores_nothing(client, book, super_member, store, staff, clock):
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="k", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})

    response = client.post(
        reverse("kiosk:face", args=[td.pickup_code]),
        {"frames": [upload("f.jpg", BAD["truncated"])], "request_key": str(uuid.uuid4())},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert not VerificationAttempt.objects.exists()
    assert TestDrive.objects.get(pk=td.pk).state == State.CHECKED_IN


def test_consent_is_given_and_withdrawn_on_its_page(client, clock):
    member = make_member(score=760, consent=False)
    client.force_login(member.user)
    url = reverse("biometrics:consent")

    client.post(url, {"agree": "yes"})
    assert 'data-consent="given"' in client.get(url).content.decode()
    client.post(url, {"action": "withdraw"})
    assert 'data-consent="missing"' in client.get(url).content.decode()


def test_the_kiosk_refuses_a_burst_over_the_frame_limit_before_reading_a_frame(
    client, book, super_member, store, staff, clock, settings, monkeypatch
):
    settings.BIOMETRICS_MAX_BURST_FRAMES = 8
    td = book(super_member)
    clock.move_to(TEN)
    _, token = kiosk_create(store=store, name="k", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    read = []
    monkeypatch.setattr("vendingstore.uploads.upload_read", lambda **kwargs: read.append(kwargs))

    response = client.post(
        reverse("kiosk:face", args=[td.pickup_code]),
        {"frames": [upload(f"f{i}.jpg", jpeg()) for i in range(100)], "request_key": str(uuid.uuid4())},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert "at most 8" in response.content.decode()
    assert read == []
    assert not VerificationAttempt.objects.exists()
    assert TestDrive.objects.get(pk=td.pk).state == State.CHECKED_IN
