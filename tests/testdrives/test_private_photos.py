"""Members' pictures of cars (the return's four sides, a charge's close-ups, damage reported at
pickup) are never under MEDIA_ROOT: no public URL serves them, only the views that check who asks."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from testdrives.models import PickupPhoto, ReturnPhoto
from testdrives.services.returns import testdrive_pickup_photo_add, testdrive_return_photo_add
from tests.returns_support import side_png
from vendingstore.private_files import private_storage

pytestmark = pytest.mark.django_db


def test_return_and_pickup_photos_are_stored_outside_media_root(out_on_drive, settings) -> None:
    photos = [
        testdrive_return_photo_add(test_drive=out_on_drive, side="front", upload=side_png("front")),
        testdrive_pickup_photo_add(test_drive=out_on_drive, side="left", upload=side_png("left")),
    ]

    for photo in photos:
        path = Path(photo.image.path)
        assert path.is_file()
        assert path.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
        assert not path.is_relative_to(settings.MEDIA_ROOT)
        assert not (Path(settings.MEDIA_ROOT) / photo.image.name).exists()


def test_no_public_url_serves_them(out_on_drive, settings) -> None:
    assert settings.SERVE_MEDIA  # the public media route is on in the tests, as in the demo
    photo = testdrive_return_photo_add(test_drive=out_on_drive, side="back", upload=side_png("back"))
    pickup = testdrive_pickup_photo_add(test_drive=out_on_drive, side="", upload=side_png("x"))
    anonymous = Client()

    for row in (photo, pickup):
        with pytest.raises(ValueError, match="no URL"):
            row.image.url  # noqa: B018 - reading it is the test
        assert anonymous.get(f"{settings.MEDIA_URL}{row.image.name}").status_code == 404


def test_the_migration_moves_photos_kept_under_media_root_into_the_private_storage(out_on_drive) -> None:
    name = "returns/2026/11/old-public-photo.png"
    default_storage.save(name, ContentFile(b"old picture"))
    ReturnPhoto.objects.create(test_drive=out_on_drive, side="right", image=name)
    move = importlib.import_module("testdrives.migrations.0014_private_car_photos_and_pickup_photos")

    move.photos_move_private(apps, None)
    move.photos_move_private(apps, None)  # a second run finds nothing to move

    assert not default_storage.exists(name)
    with private_storage().open(name) as moved:
        assert moved.read() == b"old picture"
    assert PickupPhoto.objects.count() == 0
