"""The booking's admin page shows its return and pickup pictures through the admin's own view (the
files are in the private storage, which no URL serves), to staff who may see bookings."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from testdrives.models import ReturnPhoto
from testdrives.services.lifecycle import testdrive_return
from testdrives.services.returns import testdrive_pickup_photo_add
from tests.factories import UserFactory
from tests.returns_support import four_sides, side_png

pytestmark = pytest.mark.django_db


def test_staff_who_may_view_bookings_see_the_pictures(client, out_on_drive) -> None:
    pickup = testdrive_pickup_photo_add(test_drive=out_on_drive, side="left", upload=side_png("left"))
    td = testdrive_return(
        test_drive=out_on_drive, odometer_km=out_on_drive.odometer_out_km, energy_pct=50, sides=four_sides()
    )
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_testdrive", "view_returnphoto", "view_pickupphoto"])
    )
    client.force_login(viewer)

    page = client.get(reverse("admin:testdrives_testdrive_change", args=[td.pk])).content.decode()

    urls = [
        reverse("admin:testdrives_testdrive_photo", args=[td.pk, "return", p.pk])
        for p in ReturnPhoto.objects.filter(test_drive=td)
    ]
    urls.append(reverse("admin:testdrives_testdrive_photo", args=[td.pk, "pickup", pickup.pk]))
    for url in urls:
        assert url in page
        assert client.get(url)["Content-Type"] == "image/png"
    assert (
        client.get(reverse("admin:testdrives_testdrive_photo", args=[td.pk, "other", pickup.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("admin:testdrives_testdrive_photo", args=[td.pk + 1, "pickup", pickup.pk])
        ).status_code
        == 404
    )


def test_staff_without_the_permission_get_no_picture(client, out_on_drive) -> None:
    pickup = testdrive_pickup_photo_add(test_drive=out_on_drive, side="left", upload=side_png("left"))
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_testdrive"))
    client.force_login(viewer)

    response = client.get(
        reverse("admin:testdrives_testdrive_photo", args=[out_on_drive.pk, "pickup", pickup.pk])
    )

    assert response.status_code == 403
