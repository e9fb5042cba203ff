""" "Report existing damage": in the first minutes after leaving the bay the member photographs
damage already on the car, from the booking page; the return's review compares with it. Kept in
the private storage and shown to the booking's member only."""

from datetime import timedelta

import pytest
from django.urls import reverse

from testdrives.errors import ReturnPhotoRefused, TransitionRefused
from testdrives.models import PickupPhoto
from testdrives.services.returns import pickup_photos_open, testdrive_pickup_photo_add
from tests.fixtures.world import make_member
from tests.returns_support import side_png
from tests.testdrives.test_api import api_for

pytestmark = pytest.mark.django_db


def test_a_side_reported_again_replaces_the_first_and_close_ups_add_up(out_on_drive) -> None:
    testdrive_pickup_photo_add(test_drive=out_on_drive, side="front", upload=side_png("front"))
    second = testdrive_pickup_photo_add(
        test_drive=out_on_drive, side="front", upload=side_png("front", "red")
    )
    testdrive_pickup_photo_add(test_drive=out_on_drive, side="", upload=side_png("a"), note="  chip  ")
    testdrive_pickup_photo_add(test_drive=out_on_drive, side="", upload=side_png("b"))

    photos = list(PickupPhoto.objects.filter(test_drive=out_on_drive))
    assert [p.side for p in photos] == ["front", "", ""]
    assert photos[0] == second
    assert photos[1].note == "chip"


def test_it_refuses_once_the_minutes_after_pickup_have_passed(out_on_drive, clock, settings) -> None:
    settings.TESTDRIVE_PICKUP_PHOTOS_MINUTES = 15
    clock.move_to(out_on_drive.departed_at + timedelta(minutes=16))

    assert not pickup_photos_open(test_drive=out_on_drive)
    with pytest.raises(TransitionRefused, match="first 15 minutes"):
        testdrive_pickup_photo_add(test_drive=out_on_drive, side="left", upload=side_png("left"))
    assert not PickupPhoto.objects.exists()


def test_it_refuses_an_unknown_side_and_a_booking_not_on_the_road(book, super_member) -> None:
    scheduled = book(make_member(score=760))
    with pytest.raises(ReturnPhotoRefused):
        testdrive_pickup_photo_add(test_drive=scheduled, side="roof", upload=side_png("roof"))
    with pytest.raises(TransitionRefused):
        testdrive_pickup_photo_add(test_drive=scheduled, side="left", upload=side_png("left"))


def test_the_booking_page_offers_it_and_shows_the_members_own_pictures(client, out_on_drive) -> None:
    client.force_login(out_on_drive.member.user)
    detail = reverse("testdrives:detail", args=[out_on_drive.pk])
    assert "data-report-damage" in client.get(detail).content.decode()

    response = client.post(
        reverse("testdrives:pickup_photo_add", args=[out_on_drive.pk]),
        {"side": "right", "note": "dent above the wheel", "image": side_png("right")},
    )

    assert response.url == detail
    photo = PickupPhoto.objects.get(test_drive=out_on_drive)
    page = client.get(detail).content.decode()
    url = reverse("testdrives:pickup_photo_image", args=[out_on_drive.pk, photo.pk])
    assert url in page
    assert "dent above the wheel" in page
    assert client.get(url)["Content-Type"] == "image/png"


def test_the_form_is_gone_after_the_window_and_a_late_post_says_why(client, out_on_drive, clock) -> None:
    clock.move_to(out_on_drive.departed_at + timedelta(hours=1))
    client.force_login(out_on_drive.member.user)
    detail = reverse("testdrives:detail", args=[out_on_drive.pk])
    assert "data-report-damage" not in client.get(detail).content.decode()

    response = client.post(
        reverse("testdrives:pickup_photo_add", args=[out_on_drive.pk]),
        {"side": "", "image": side_png("x")},
        follow=True,
    )

    assert "minutes after leaving the bay" in response.content.decode()
    assert not PickupPhoto.objects.exists()


def test_another_member_neither_adds_nor_sees_them(client, out_on_drive) -> None:
    photo = testdrive_pickup_photo_add(test_drive=out_on_drive, side="back", upload=side_png("back"))
    client.force_login(make_member(score=760).user)

    add = client.post(
        reverse("testdrives:pickup_photo_add", args=[out_on_drive.pk]), {"image": side_png("x")}
    )
    see = client.get(reverse("testdrives:pickup_photo_image", args=[out_on_drive.pk, photo.pk]))

    assert (add.status_code, see.status_code) == (404, 404)
    assert PickupPhoto.objects.count() == 1


def test_the_phone_reports_damage_through_the_api_and_fetches_it_back(
    out_on_drive, super_member, clock
) -> None:
    api = api_for(super_member)
    url = reverse("api-testdrive-pickup-photos", args=[out_on_drive.pk])

    answer = api.post(url, {"side": "front", "note": "chip", "image": side_png("front")}, format="multipart")
    closeup = api.post(url, {"image": side_png("wheel")}, format="multipart")

    assert answer.status_code == 201, answer.json()
    assert (answer.json()["side"], answer.json()["note"], closeup.json()["side"]) == ("front", "chip", "")
    picture = api.get(answer.json()["url"])
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/png"
    assert api_for(make_member(score=760)).get(answer.json()["url"]).status_code == 404

    clock.move_to(out_on_drive.departed_at + timedelta(hours=1))
    late = api.post(url, {"image": side_png("late")}, format="multipart")
    assert late.status_code == 409
    assert PickupPhoto.objects.filter(test_drive=out_on_drive).count() == 2
