"""The review compares a returned car with its last known condition (issue 14 §4): the car's
previous return (its four sides and readings), any damage the member reported at pickup, and the
readings' differences, side by side on the review page."""

import pytest
from django.urls import reverse

from testdrives.models import PaymentPurpose, PickupPhoto, ReturnCharge, ReturnPhoto, TestDrive
from testdrives.return_compare import previous_return, return_compare
from testdrives.services.lifecycle import testdrive_return
from testdrives.services.returns import testdrive_pickup_photo_add
from tests.returns_support import earlier_return, four_sides, side_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(out_on_drive, django_capture_on_commit_callbacks) -> TestDrive:
    with django_capture_on_commit_callbacks(execute=True):
        return testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 180,
            energy_pct=40,
            sides=four_sides(),
        )


def test_the_last_known_condition_is_the_cars_latest_return_before_this_pickup(out_on_drive) -> None:
    older = earlier_return(out_on_drive, code="OLDER001", days_before=5, odometer_km=100)
    latest = earlier_return(out_on_drive, code="LATEST01", days_before=1, odometer_km=200)

    assert previous_return(test_drive=out_on_drive) == latest
    assert older != latest


def test_a_car_never_returned_before_has_no_last_known_condition(returned) -> None:
    compare = return_compare(test_drive=returned)

    assert compare.previous is None
    assert [view.last_known for view in compare.sides] == [None] * 4
    assert compare.km_unexplained is None


def test_each_side_is_compared_with_the_previous_return_and_the_readings_differ_by_the_drive(
    out_on_drive, django_capture_on_commit_callbacks
) -> None:
    earlier = earlier_return(
        out_on_drive, code="EARLIER1", days_before=1, odometer_km=out_on_drive.odometer_out_km
    )
    with django_capture_on_commit_callbacks(execute=True):
        td = testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 180,
            energy_pct=40,
            sides=four_sides(),
        )

    compare = return_compare(test_drive=td)

    assert compare.previous == earlier
    for view in compare.sides:
        assert view.last_known == ReturnPhoto.objects.get(test_drive=earlier, side=view.side)
        assert view.at_return == ReturnPhoto.objects.get(test_drive=td, side=view.side)
        assert view.at_pickup is None
    assert compare.km_driven == 180
    assert compare.energy_used == td.energy_out_pct - 40
    assert compare.km_unexplained == 0


def test_a_car_that_moved_between_two_drives_shows_the_unexplained_km(out_on_drive) -> None:
    earlier_return(
        out_on_drive, code="EARLIER2", days_before=1, odometer_km=out_on_drive.odometer_out_km - 35
    )

    assert return_compare(test_drive=out_on_drive).km_unexplained == 35


def test_damage_reported_at_pickup_shows_beside_its_side(out_on_drive) -> None:
    photo = testdrive_pickup_photo_add(
        test_drive=out_on_drive, side="left", upload=side_png("left", "red"), note="scratch on the door"
    )
    closeup = testdrive_pickup_photo_add(test_drive=out_on_drive, side="", upload=side_png("wheel"))

    compare = return_compare(test_drive=out_on_drive)

    assert {view.side: view.at_pickup for view in compare.sides} == {
        "front": None,
        "back": None,
        "left": photo,
        "right": None,
    }
    assert compare.pickup_others == [closeup]
    assert compare.pickup_reported


def test_the_review_page_shows_the_three_pictures_of_each_side_and_the_differences(
    client, operator, out_on_drive, django_capture_on_commit_callbacks
) -> None:
    earlier = earlier_return(
        out_on_drive, code="EARLIER3", days_before=2, odometer_km=out_on_drive.odometer_out_km
    )
    charge_reason = "Scratch on the bonnet"
    ReturnCharge.objects.create(
        test_drive=earlier,
        kind="damage",
        amount_cny=300,
        reason=charge_reason,
        payment=earlier.payments.create(
            purpose=PaymentPurpose.RETURN_CHARGE, amount_cny=300, reference="prev-charge"
        ),
        created_by=operator,
    )
    pickup = testdrive_pickup_photo_add(
        test_drive=out_on_drive, side="front", upload=side_png("front", "red")
    )
    with django_capture_on_commit_callbacks(execute=True):
        td = testdrive_return(
            test_drive=out_on_drive,
            odometer_km=out_on_drive.odometer_out_km + 75,
            energy_pct=50,
            sides=four_sides(),
        )
    client.force_login(operator)

    page = client.get(reverse("ops:return_review", args=[td.pk])).content.decode()

    assert f'data-previous="{earlier.pk}"' in page
    assert "EARLIER3" in page
    assert charge_reason in page
    assert "75 km driven" in page
    assert f"data-odometer-previous>{out_on_drive.odometer_out_km}<" in page
    assert "data-pickup-reported" in page
    for photo in ReturnPhoto.objects.filter(test_drive=earlier):
        url = reverse("ops:return_photo", args=[earlier.pk, photo.pk])
        assert url in page
        assert client.get(url).status_code == 200
    pickup_url = reverse("ops:pickup_photo", args=[td.pk, pickup.pk])
    assert pickup_url in page
    assert client.get(pickup_url)["Content-Type"] == "image/png"
    for photo in ReturnPhoto.objects.filter(test_drive=td):
        assert reverse("ops:return_photo", args=[td.pk, photo.pk]) in page


def test_a_pickup_photo_is_served_only_with_its_own_booking(client, operator, out_on_drive) -> None:
    photo = testdrive_pickup_photo_add(test_drive=out_on_drive, side="back", upload=side_png("back"))
    client.force_login(operator)

    assert client.get(reverse("ops:pickup_photo", args=[out_on_drive.pk + 1000, photo.pk])).status_code == 404


def test_a_member_cannot_open_pickup_photos_in_the_console(client, out_on_drive) -> None:
    photo = testdrive_pickup_photo_add(test_drive=out_on_drive, side="back", upload=side_png("back"))
    url = reverse("ops:pickup_photo", args=[out_on_drive.pk, photo.pk])
    assert client.get(url).status_code == 302  # to the staff login
    client.force_login(out_on_drive.member.user)

    assert client.get(url).status_code == 403


def test_the_auditor_sees_the_pictures_on_the_booking_page(client, auditor, returned) -> None:
    pickup = PickupPhoto.objects.create(test_drive=returned, image=side_png("x"))
    client.force_login(auditor)

    page = client.get(reverse("ops:booking", args=[returned.pk])).content.decode()

    urls = [
        reverse("ops:return_photo", args=[returned.pk, p.pk])
        for p in ReturnPhoto.objects.filter(test_drive=returned)
    ]
    urls.append(reverse("ops:pickup_photo", args=[returned.pk, pickup.pk]))
    for url in urls:
        assert url in page
        assert client.get(url).status_code == 200
    assert client.get(reverse("ops:return_review", args=[returned.pk])).status_code == 403


def test_the_comparison_speaks_chinese(client, operator, returned) -> None:
    client.force_login(operator)

    page = client.get(
        reverse("ops:return_review", args=[returned.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "照片对比" in page  # "Photos, side by side"
    assert "上次已知状况（上一次还车）" in page
