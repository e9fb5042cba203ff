"""Fleet's own signal receivers (connected in FleetConfig.ready)."""

from typing import Any

from django.db import transaction

from fleet.models import CarPhoto
from fleet.photos import renditions_delete
from fleet.tasks import carphoto_renditions_make
from vendingstore.queueing import delay_on_commit


def carphoto_saved(*, instance: CarPhoto, raw: bool = False, **kwargs: Any) -> None:
    """A new or replaced image gets its smaller copies made in the background, once committed.
    Every way a photo arrives (admin, a script, a fixture) passes here."""
    if raw or not instance.image or instance.renditions_of == instance.image.name:
        return
    delay_on_commit(carphoto_renditions_make, instance.pk)


def carphoto_deleted(*, instance: CarPhoto, **kwargs: Any) -> None:
    """A deleted photo's copies go once the deletion commits (the original stays, as Django leaves
    every deleted row's file)."""
    if instance.renditions_of:
        name, storage = instance.renditions_of, instance.image.storage
        transaction.on_commit(lambda: renditions_delete(image_name=name, storage=storage))
