"""The kiosk pages: sign in with a token, check in, follow the status, open the gate, return."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from testdrives.models import ReturnPhoto, State, TestDrive
from testdrives.services.booking import testdrive_book
from testdrives.services.kiosks import kiosk_create, kiosk_deactivate
from testdrives.services.lifecycle import testdrive_check_in, testdrive_depart, testdrive_identity_verified
from tests.factories import StoreFactory, TowerFactory, VehicleFactory
from tests.fixtures.world import TEN
from tests.returns_support import four_sides

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk_client(client, store, staff, clock):
    clock.move_to(TEN)
    kiosk, token = kiosk_create(store=store, name="Entrance", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    client.kiosk = kiosk
    return client


def test_pages_need_a_signed_in_kiosk_and_a_deactivated_one_is_cut_off(client, kiosk_client):
    assert kiosk_client.get(reverse("kiosk:home")).status_code == 200

    kiosk_deactivate(kiosk=kiosk_client.kiosk)

    assert kiosk_client.get(reverse("kiosk:home")).url == reverse("kiosk:sign_in")


def test_a_wrong_token_does_not_sign_in(client, db):
    response = client.post(reverse("kiosk:sign_in"), {"token": "guess"})

    assert response.status_code == 200
    assert client.get(reverse("kiosk:home")).url == reverse("kiosk:sign_in")


def test_pickup_from_code_to_gate_and_return_at_the_kiosk(
    kiosk_client, book, super_member, staff, django_capture_on_commit_callbacks
):
    td = book(super_member)

    response = kiosk_client.post(reverse("kiosk:check_in"), {"code": td.pickup_code.lower()})
    status_url = reverse("kiosk:drive", args=[td.pickup_code])
    assert response.url == status_url
    assert 'data-state="checked_in"' in kiosk_client.get(status_url, HTTP_HX_REQUEST="true").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")
    status = kiosk_client.get(status_url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-state="ready"' in status
    assert "D1" in status

    kiosk_client.post(reverse("kiosk:open_gate", args=[td.pickup_code]))
    td.refresh_from_db()
    assert td.state == State.ON_DRIVE

    response = kiosk_client.post(
        reverse("kiosk:return"),
        {
            "return_code": td.return_code,
            "odometer_km": td.odometer_out_km + 50,
            "energy_pct": 70,
            "damage": "",
            **four_sides(),
        },
    )
    assert response.status_code == 200
    td.refresh_from_db()
    assert td.state == State.RETURNED
    assert "Drive the car into delivery bay D1" not in response.content.decode()  # no gate: instant
    assert "Leave the car in delivery bay D1" in response.content.decode()


def test_a_status_poll_once_the_car_is_ready_reads_no_face_data(
    kiosk_client, book, super_member, staff, django_capture_on_commit_callbacks
):
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk_client.kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")

    with CaptureQueriesContext(connection) as poll:
        status = kiosk_client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true")

    assert 'data-state="ready"' in status.content.decode()
    assert not [q["sql"] for q in poll.captured_queries if "biometrics_" in q["sql"]]


def test_a_kiosk_does_not_see_another_stores_bookings(
    kiosk_client, super_member, staff, store, car_model, paint
):
    other = StoreFactory()
    TowerFactory(store=other)
    VehicleFactory(store=other, car_model=car_model, paint=paint)
    td = testdrive_book(member=super_member, car_model=car_model, paint=paint, store=other, slot_start=TEN)

    response = kiosk_client.post(reverse("kiosk:check_in"), {"code": td.pickup_code}, follow=True)

    assert "We do not know this code" in response.content.decode()
    assert kiosk_client.get(reverse("kiosk:drive", args=[td.pickup_code])).status_code == 404
    assert TestDrive.objects.get(pk=td.pk).state == State.SCHEDULED


def png(name: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_return_at_the_kiosk_keeps_every_photo_and_only_images(
    kiosk_client, book, super_member, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk_client.kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")
    td = testdrive_depart(test_drive=td)
    reading = {"return_code": td.return_code, "odometer_km": td.odometer_out_km + 5, "energy_pct": 70}

    refused = kiosk_client.post(
        reverse("kiosk:return"),
        {**reading, "photos": [SimpleUploadedFile("front.png", b"not an image"), png("rear.png")]},
    )
    assert refused.status_code == 200
    assert TestDrive.objects.get(pk=td.pk).state == State.ON_DRIVE

    kiosk_client.post(
        reverse("kiosk:return"), {**reading, **four_sides(), "photos": [png("front.png"), png("rear.png")]}
    )
    assert TestDrive.objects.get(pk=td.pk).state == State.RETURNED
    assert ReturnPhoto.objects.filter(test_drive=td, taken_by_staff=False, side="").count() == 2
    assert ReturnPhoto.objects.filter(test_drive=td, taken_by_staff=False).exclude(side="").count() == 4


def test_a_return_at_the_kiosk_refuses_a_truncated_or_oversized_photo_and_stores_nothing(
    kiosk_client, book, super_member, staff, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_FULL_DECODE_PIXELS = 100 * 100
    td = book(super_member)
    testdrive_check_in(kiosk=kiosk_client.kiosk, pickup_code=td.pickup_code)
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_identity_verified(test_drive=td, method="staff", by=staff, note="licence and ID card seen")
    td = testdrive_depart(test_drive=td)
    reading = {"return_code": td.return_code, "odometer_km": td.odometer_out_km + 5, "energy_pct": 70}
    truncated = io.BytesIO()
    Image.new("RGB", (800, 600), "red").save(truncated, "JPEG")
    large = io.BytesIO()
    Image.new("RGB", (200, 200), "red").save(large, "PNG")

    for bad in (
        SimpleUploadedFile("front.jpg", truncated.getvalue()[:-200], content_type="image/jpeg"),
        SimpleUploadedFile("rear.png", large.getvalue(), content_type="image/png"),
    ):
        refused = kiosk_client.post(reverse("kiosk:return"), {**reading, "photos": [bad, png("side.png")]})

        assert refused.status_code == 200
        assert 'class="field__error"' in refused.content.decode()
    assert "at most 0.01 megapixels" in refused.content.decode()
    assert TestDrive.objects.get(pk=td.pk).state == State.ON_DRIVE
    assert not ReturnPhoto.objects.exists()


def test_a_tower_fault_says_the_remote_operators_are_alerted_not_that_staff_will_help(
    kiosk_client, book, super_member
):
    td = book(super_member)
    kiosk_client.post(reverse("kiosk:check_in"), {"code": td.pickup_code})
    # The tower gave up on the car: set directly, the tower's part is tested in tests/tower.
    TestDrive.objects.filter(pk=td.pk).update(state=State.DISPATCH_FAILED)
    td.store.phone = "+86 21 5555 0100"
    td.store.save(update_fields=["phone"])

    status = kiosk_client.get(reverse("kiosk:drive", args=[td.pickup_code]), HTTP_HX_REQUEST="true")

    page = status.content.decode()
    assert "data-operator-alerted" in page
    assert "+86 21 5555 0100" in page
    assert "staff" not in page.lower()
