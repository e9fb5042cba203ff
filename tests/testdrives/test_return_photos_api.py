"""The member's side of a return: side photos from the phone (API and booking page) during the
drive, and the return's photos and charge on the booking page and in the API afterwards."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from testdrives.models import ReturnPhoto
from testdrives.services.lifecycle import testdrive_return
from testdrives.services.returns import testdrive_charge_open
from tests.fixtures.world import make_member
from tests.returns_support import side_png
from tests.testdrives.test_api import api_for

pytestmark = pytest.mark.django_db


def test_the_phone_sends_each_side_through_the_api_and_the_kiosk_needs_no_more(
    out_on_drive, super_member
) -> None:
    api = api_for(super_member)
    url = reverse("api-testdrive-return-photos", args=[out_on_drive.pk])

    for side in ("front", "back", "left", "right"):
        answer = api.post(url, {"side": side, "image": side_png(side)}, format="multipart")
        assert answer.status_code == 201, answer.json()
        assert answer.json()["side"] == side

    td = testdrive_return(
        test_drive=out_on_drive, odometer_km=out_on_drive.odometer_out_km + 3, energy_pct=80
    )
    assert td.state == "returned"
    detail = api.get(reverse("api-testdrive-detail", args=[out_on_drive.pk])).json()
    assert sorted(p["side"] for p in detail["return_photos"]) == ["back", "front", "left", "right"]
    assert detail["charge"] is None
    picture = api.get(detail["return_photos"][0]["url"])
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert "private" in picture["Cache-Control"]


def test_the_api_refuses_a_file_that_is_not_a_picture_with_a_clear_error(out_on_drive, super_member) -> None:
    answer = api_for(super_member).post(
        reverse("api-testdrive-return-photos", args=[out_on_drive.pk]),
        {"side": "front", "image": SimpleUploadedFile("front.jpg", b"not an image")},
        format="multipart",
    )

    assert answer.status_code == 400
    assert answer.json()["detail"]
    assert not ReturnPhoto.objects.exists()


def test_another_member_neither_sends_nor_sees_the_photos(out_on_drive, super_member) -> None:
    photo = api_for(super_member).post(
        reverse("api-testdrive-return-photos", args=[out_on_drive.pk]),
        {"side": "front", "image": side_png("front")},
        format="multipart",
    )
    stranger = api_for(make_member(score=760))

    assert stranger.get(photo.json()["url"]).status_code == 404
    answer = stranger.post(
        reverse("api-testdrive-return-photos", args=[out_on_drive.pk]),
        {"side": "back", "image": side_png("back")},
        format="multipart",
    )
    assert answer.status_code == 404


def test_the_member_sees_the_charge_with_its_photos_on_the_booking_page_and_in_the_api(
    client,
    out_on_drive,
    super_member,
    staff,
    django_capture_on_commit_callbacks,
) -> None:
    client.force_login(super_member.user)
    page_url = reverse("testdrives:detail", args=[out_on_drive.pk])
    for side in ("front", "back", "left", "right"):
        client.post(
            reverse("testdrives:return_photo_add", args=[out_on_drive.pk]),
            {"side": side, "image": side_png(side)},
        )
    assert client.get(page_url).content.decode().count('data-sent="yes"') == 4
    td = testdrive_return(
        test_drive=out_on_drive, odometer_km=out_on_drive.odometer_out_km + 900, energy_pct=5
    )
    assert 'data-review="waiting"' in client.get(page_url).content.decode()
    front = ReturnPhoto.objects.get(test_drive=td, side="front")
    with django_capture_on_commit_callbacks(execute=True):
        testdrive_charge_open(
            test_drive=td,
            by=staff,
            kind="excess",
            amount_cny=300,
            reason="900 km in one day, over the 500 km allowed",
            photo_ids=[front.pk],
        )

    page = client.get(page_url).content.decode()
    assert "900 km in one day, over the 500 km allowed" in page
    assert 'data-charge-status="paid"' in page
    assert reverse("testdrives:return_photo_image", args=[td.pk, front.pk]) in page
    charge = api_for(super_member).get(reverse("api-testdrive-detail", args=[td.pk])).json()["charge"]
    assert charge["amount_cny"] == 300
    assert charge["kind"] == "excess"
    assert charge["payment_status"] == "paid"
    assert [p["id"] for p in charge["photos"]] == [front.pk]


def test_the_booking_page_says_why_a_photo_was_refused(client, out_on_drive, super_member) -> None:
    client.force_login(super_member.user)

    page = client.post(
        reverse("testdrives:return_photo_add", args=[out_on_drive.pk]),
        {"side": "front", "image": SimpleUploadedFile("front.jpg", b"not an image")},
        follow=True,
    )

    assert page.status_code == 200
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert not ReturnPhoto.objects.exists()
