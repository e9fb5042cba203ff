"""Indexing catalogue photos and fitting the classifier: idempotent, queued after commit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from fleet.models import CarModel, CarPhoto
from snapcar import analysis, tasks
from snapcar.models import CarPhotoIndex, SnapcarClassifier
from snapcar.services import snapcar_index_photo, snapcar_reindex_all, snapcar_train
from tests.factories import CarModelFactory
from tests.fixtures.snapcar import car_photo_bytes

pytestmark = pytest.mark.django_db


def photo_of(car_model: CarModel, file: str) -> CarPhoto:
    return CarPhoto.objects.create(
        car_model=car_model, image=SimpleUploadedFile(file, car_photo_bytes(file), "image/jpeg")
    )


def test_it_indexes_a_photo_once(snapcar_model, monkeypatch) -> None:
    photo = photo_of(CarModelFactory(), "00036.jpg")
    first = snapcar_index_photo(photo_id=photo.pk)
    monkeypatch.setattr(analysis, "photo_analyse", lambda rgb: pytest.fail("analysed twice"))

    again = snapcar_index_photo(photo_id=photo.pk)

    assert again.pk == first.pk
    assert first.vehicle_probability > 0.5
    assert len(bytes(first.embedding)) == 1280 * 4


def test_it_indexes_a_replaced_image_again(snapcar_model) -> None:
    photo = photo_of(CarModelFactory(), "00036.jpg")
    before = bytes(snapcar_index_photo(photo_id=photo.pk).embedding)
    photo.image = SimpleUploadedFile("00046.jpg", car_photo_bytes("00046.jpg"), "image/jpeg")
    photo.save()

    after = snapcar_index_photo(photo_id=photo.pk)

    assert after.image_name == photo.image.name
    assert bytes(after.embedding) != before


def test_it_ignores_a_photo_deleted_before_the_task_ran(snapcar_model) -> None:
    assert snapcar_index_photo(photo_id=987654) is None


def test_it_fits_the_classifier_once_per_index_state(snapcar_model) -> None:
    photo_of(CarModelFactory(), "00036.jpg")
    photo_of(CarModelFactory(), "00025.jpg")
    snapcar_reindex_all()
    first = SnapcarClassifier.objects.get()

    assert snapcar_train().pk == first.pk
    photo_of(CarModelFactory(), "00012.jpg")
    snapcar_reindex_all()

    newest = SnapcarClassifier.objects.get()
    assert newest.pk != first.pk
    assert newest.photo_count == 3
    assert len(newest.model_ids) == 3


def test_it_needs_two_models_to_fit(snapcar_model) -> None:
    photo_of(CarModelFactory(), "00036.jpg")
    snapcar_reindex_all()

    assert snapcar_train() is None


@pytest.mark.usefixtures("eager_tasks")
def test_a_saved_photo_is_indexed_by_a_task_after_commit(
    snapcar_model, django_capture_on_commit_callbacks
) -> None:
    # Saved the way any caller saves a catalogue photo (admin, shell): fleet's post_save signal.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo = photo_of(CarModelFactory(), "00036.jpg")
    assert not CarPhotoIndex.objects.filter(photo=photo).exists()
    for callback in callbacks:
        callback()

    assert CarPhotoIndex.objects.filter(photo=photo).exists()


@pytest.mark.usefixtures("eager_tasks")
def test_the_task_indexes_and_then_fits_the_classifier(snapcar_model) -> None:
    snapcar_index_photo(photo_id=photo_of(CarModelFactory(), "00025.jpg").pk)
    photo = photo_of(CarModelFactory(), "00036.jpg")

    tasks.snapcar_index_photo_task(photo.pk)

    assert CarPhotoIndex.objects.filter(photo=photo).exists()
    assert SnapcarClassifier.objects.get().photo_count == 2


@pytest.mark.usefixtures("eager_tasks")
def test_a_deleted_photo_fits_the_classifier_again_after_commit(
    snapcar_model, django_capture_on_commit_callbacks
) -> None:
    for file in ("00025.jpg", "00036.jpg", "00012.jpg"):
        photo_of(CarModelFactory(), file)
    snapcar_reindex_all()
    assert SnapcarClassifier.objects.get().photo_count == 3

    with django_capture_on_commit_callbacks(execute=True):
        CarPhoto.objects.filter(image__contains="00012").delete()

    assert SnapcarClassifier.objects.get().photo_count == 2


def test_a_photo_saved_in_a_rolled_back_transaction_queues_nothing(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                photo_of(CarModelFactory(), "00036.jpg")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass

    assert callbacks == []
