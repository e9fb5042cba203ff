"""The Celery app. Configuration comes from Django settings prefixed ``CELERY_``."""

import logging
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vendingstore.settings.base")

logger = logging.getLogger(__name__)

app = Celery("vendingstore")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _face_engine_warm_up(**kwargs: object) -> None:
    """Load the face model once per worker process, so no pickup pays for loading it (DESIGN §5).

    A failure is logged, not raised: the worker still serves every other task, and a face task
    would then load the model itself (and fail loudly if it cannot).
    """
    from django.conf import settings

    if not settings.BIOMETRICS_WARM_UP:
        return
    try:
        from biometrics.engine import warm_up

        warm_up()
    except Exception:
        logger.exception("face engine warm-up failed")
