"""The kiosk's return: the code, the readings and a photo of each side the phone has not sent;
the member is told which bay to leave the car in."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from testdrives.models import ReturnPhoto, State, TestDrive
from testdrives.services.kiosks import kiosk_create
from testdrives.services.returns import testdrive_return_photo_add
from tests.returns_support import side_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def kiosk_client(client, out_on_drive, staff):
    _kiosk, token = kiosk_create(store=out_on_drive.store, name="Return lane", by=staff)
    client.post(reverse("kiosk:sign_in"), {"token": token})
    return client


def readings(td: TestDrive) -> dict:
    return {"return_code": td.return_code, "odometer_km": td.odometer_out_km + 42, "energy_pct": 61}


def test_the_kiosk_takes_the_sides_the_phone_did_not_send_and_names_the_bay(
    kiosk_client, out_on_drive, super_member
) -> None:
    for side in ("front", "back"):
        testdrive_return_photo_add(
            test_drive=out_on_drive, side=side, upload=side_png(side), by=super_member.user
        )

    page = kiosk_client.post(
        reverse("kiosk:return"),
        {**readings(out_on_drive), "left": side_png("left"), "right": side_png("right")},
    )

    assert page.status_code == 200
    out_on_drive.refresh_from_db()
    assert out_on_drive.state == State.RETURNED
    assert f'data-bay="{out_on_drive.delivery_bay.code}"' in page.content.decode()
    assert set(ReturnPhoto.objects.filter(test_drive=out_on_drive).values_list("side", flat=True)) == {
        "front",
        "back",
        "left",
        "right",
    }


def test_a_return_without_every_side_says_which_are_missing_and_changes_nothing(
    kiosk_client, out_on_drive
) -> None:
    page = kiosk_client.post(reverse("kiosk:return"), {**readings(out_on_drive), "front": side_png("front")})

    assert page.status_code == 200
    assert "Missing: back, left side, right side." in page.content.decode()
    out_on_drive.refresh_from_db()
    assert out_on_drive.state == State.ON_DRIVE
    assert not ReturnPhoto.objects.exists()


def test_a_side_that_is_not_a_picture_is_refused_at_its_field(kiosk_client, out_on_drive) -> None:
    page = kiosk_client.post(
        reverse("kiosk:return"),
        {
            **readings(out_on_drive),
            "front": SimpleUploadedFile("front.jpg", b"not an image", content_type="image/jpeg"),
            "back": side_png("back"),
            "left": side_png("left"),
            "right": side_png("right"),
        },
    )

    assert page.status_code == 200
    assert 'class="field__error"' in page.content.decode()
    assert 'capture="environment"' in page.content.decode()
    out_on_drive.refresh_from_db()
    assert out_on_drive.state == State.ON_DRIVE


def test_the_kiosk_speaks_chinese_for_the_sides(kiosk_client) -> None:
    page = kiosk_client.get(reverse("kiosk:return"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "后部" in page
    assert "请拍摄车辆的每一面" in page
