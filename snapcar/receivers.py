"""Keeping the index in step with fleet's catalogue photos (connected in ``SnapcarConfig.ready``).

Each receiver only queues a task once the transaction commits: a rolled-back photo is never
indexed, and the request that saved it never waits for the image model.
"""

from typing import Any

from fleet.models import CarPhoto
from snapcar.tasks import snapcar_index_photo_task, snapcar_train_task
from vendingstore.queueing import delay_on_commit


def photo_saved(*, instance: CarPhoto, raw: bool = False, **kwargs: Any) -> None:
    """A photo was added or changed: index it (the task skips a photo whose image is unchanged)."""
    if raw:  # loaddata: the index is rebuilt with ``snapcar_reindex`` afterwards
        return
    delay_on_commit(snapcar_index_photo_task, instance.pk)


def photo_deleted(*, instance: CarPhoto, **kwargs: Any) -> None:
    """A photo went (its index row with it, by cascade): fit the classifier to what is left."""
    delay_on_commit(snapcar_train_task)
