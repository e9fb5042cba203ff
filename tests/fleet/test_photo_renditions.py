"""Smaller copies of catalogue photos (fleet.photos) and how the catalogue offers them."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from PIL import Image

from fleet.models import CarPhoto
from fleet.photos import carphoto_list_without_renditions, carphoto_renditions_make, rendition_name
from fleet.tasks import carphoto_renditions_sweep
from tests.factories import CarModelFactory, CarPhotoFactory, PaintFactory

pytestmark = pytest.mark.django_db


def jpeg(width: int, height: int, *, orientation: int | None = None) -> ContentFile:
    image = Image.new("RGB", (width, height), "#1F4E79")
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", exif=exif)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def photo_of(width: int, height: int, orientation: int | None = None, **kwargs: object) -> CarPhoto:
    photo = CarPhotoFactory.build(car_model=CarModelFactory(), **kwargs)
    photo.image.save("photo.jpg", jpeg(width, height, orientation=orientation), save=False)
    photo.save()
    return photo


def size_of(name: str) -> tuple[str, tuple[int, int]]:
    with default_storage.open(name, "rb") as file, Image.open(file) as image:
        return image.format, image.size


def test_it_makes_narrower_webp_copies_and_records_the_size() -> None:
    photo = photo_of(1600, 1000)

    assert carphoto_renditions_make(photo_id=photo.pk) is True

    photo.refresh_from_db()
    assert (photo.width, photo.height, photo.renditions_of) == (1600, 1000, photo.image.name)
    for width in (360, 720, 1080):
        assert size_of(rendition_name(photo.image.name, width)) == (
            "WEBP",
            (width, round(1000 * width / 1600)),
        )


def test_it_never_enlarges_a_small_photo() -> None:
    photo = photo_of(500, 300)

    carphoto_renditions_make(photo_id=photo.pk)

    assert default_storage.exists(rendition_name(photo.image.name, 360))
    assert not default_storage.exists(rendition_name(photo.image.name, 720))


def test_a_photo_turned_by_its_exif_is_measured_as_shown() -> None:
    # Stored 1200 x 800, shown a quarter turn round: 800 wide, 1200 high.
    photo = photo_of(1200, 800, orientation=6)

    carphoto_renditions_make(photo_id=photo.pk)

    photo.refresh_from_db()
    assert (photo.width, photo.height) == (800, 1200)
    assert size_of(rendition_name(photo.image.name, 720))[1] == (720, 1080)


def test_it_does_the_work_once_per_image() -> None:
    photo = photo_of(800, 500)
    assert carphoto_renditions_make(photo_id=photo.pk) is True
    assert carphoto_renditions_make(photo_id=photo.pk) is False
    assert not carphoto_list_without_renditions().filter(pk=photo.pk).exists()

    photo.image.save("replaced.jpg", jpeg(400, 250))
    assert carphoto_list_without_renditions().filter(pk=photo.pk).exists()
    assert carphoto_renditions_make(photo_id=photo.pk) is True


def test_a_missing_file_is_recorded_without_copies() -> None:
    photo = CarPhoto.objects.create(car_model=CarModelFactory(), image="catalogue/gone.jpg")

    assert carphoto_renditions_make(photo_id=photo.pk) is False

    photo.refresh_from_db()
    assert photo.renditions_of == "catalogue/gone.jpg"
    assert photo.width is None
    assert not carphoto_list_without_renditions().exists()


@pytest.mark.usefixtures("eager_tasks")
def test_an_upload_gets_its_copies_once_committed(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_of(900, 600)

    photo.refresh_from_db()
    assert photo.width == 900
    assert default_storage.exists(rendition_name(photo.image.name, 720))


def test_the_model_page_offers_the_copies_with_the_size_reserved(client: Client) -> None:
    photo = photo_of(1600, 1000, caption="Front")
    carphoto_renditions_make(photo_id=photo.pk)
    photo.refresh_from_db()

    html = client.get(photo.car_model.get_absolute_url()).content.decode()

    small = default_storage.url(rendition_name(photo.image.name, 360))
    assert f'srcset="{small} 360w, ' in html
    assert f'{photo.image.url} 1600w"' in html
    assert 'width="1600" height="1000" alt="Front"' in html
    # The first picture of the gallery is what the page is about: not lazy.
    assert 'alt="Front" decoding="async"' in html


def test_the_card_loads_its_photo_lazily_at_the_size_it_shows(client: Client) -> None:
    photo = photo_of(1600, 1000)
    carphoto_renditions_make(photo_id=photo.pk)

    html = client.get("/").content.decode()

    assert 'sizes="(min-width: 720px) 33vw, 100vw" width="1600" height="1000" alt="" loading="lazy"' in html


def test_a_photo_without_copies_yet_shows_the_original_alone(client: Client) -> None:
    car_model = CarModelFactory()
    PaintFactory(car_model=car_model)
    photo = CarPhotoFactory(car_model=car_model)

    html = client.get(car_model.get_absolute_url()).content.decode()

    assert f'<img src="{photo.image.url}" alt=' in html
    assert "srcset" not in html


def test_the_api_lists_the_copies(client: Client) -> None:
    photo = photo_of(800, 500)
    carphoto_renditions_make(photo_id=photo.pk)

    body = client.get(f"/api/v1/models/{photo.car_model.slug}/").json()

    assert body["photos"][0]["width"] == 800
    assert [r["width"] for r in body["photos"][0]["renditions"]] == [360, 720]
    assert body["photos"][0]["renditions"][0]["url"].endswith(".w360.webp")


def test_the_command_prepares_every_photo_still_without_copies() -> None:
    waiting = [photo_of(800, 500), photo_of(600, 400)]
    out = io.StringIO()

    call_command("photo_renditions", stdout=out)

    assert "2 photos prepared" in out.getvalue()
    assert all(CarPhoto.objects.get(pk=p.pk).width for p in waiting)
    call_command("photo_renditions", stdout=out)
    assert "0 photos prepared" in out.getvalue()


@pytest.mark.usefixtures("eager_tasks")
def test_the_sweep_queues_the_photos_whose_task_was_lost() -> None:
    lost = photo_of(700, 400)  # saved without a commit: its on-commit task never left

    assert carphoto_renditions_sweep.delay().get() == 1

    assert CarPhoto.objects.get(pk=lost.pk).width == 700
    assert carphoto_renditions_sweep.delay().get() == 0


def test_a_replaced_or_deleted_photo_leaves_no_copies_behind(django_capture_on_commit_callbacks) -> None:
    photo = photo_of(800, 500)
    carphoto_renditions_make(photo_id=photo.pk)
    photo.refresh_from_db()  # as the admin would load it
    first = rendition_name(photo.image.name, 360)

    photo.image.save("replaced.jpg", jpeg(900, 600))
    carphoto_renditions_make(photo_id=photo.pk)
    photo.refresh_from_db()
    second = rendition_name(photo.image.name, 360)
    assert not default_storage.exists(first)
    assert default_storage.exists(second)

    with django_capture_on_commit_callbacks(execute=True):
        photo.delete()
    assert not default_storage.exists(second)
