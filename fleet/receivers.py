"""Fleet's own signal receivers (connected in FleetConfig.ready)."""

from typing import Any

from fleet.models import CarPhoto
from fleet.tasks import carphoto_renditions_make
from vendingstore.queueing import delay_on_commit


def carphoto_saved(*, instance: CarPhoto, raw: bool = False, **kwargs: Any) -> None:
    """A new or replaced image gets its smaller copies made in the background, once committed.
    Every way a photo arrives (admin, a script, a fixture) passes here."""
    if raw or not instance.image or instance.renditions_of == instance.image.name:
        return
    delay_on_commit(carphoto_renditions_make, instance.pk)
