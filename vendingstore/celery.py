"""The Celery app. Configuration comes from Django settings prefixed ``CELERY_``."""

import os
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.base")

app = Celery("vendingstore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def db_connections_tidy(sender: Any = None, **kwargs: object) -> None:
    """Around each task, what Django does around each request: close a connection past
    CONN_MAX_AGE or one an error left unusable, and health-check a kept one at its next use.

    Not for eager tasks (tests): they run inside the caller's transaction.
    """
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    close_old_connections()
