"""What biometrics does when something happens elsewhere: a worker process starts."""

import logging

from celery.signals import worker_process_init
from django.conf import settings

from biometrics.engine import warm_up

logger = logging.getLogger(__name__)


@worker_process_init.connect
def face_engine_warm_up(**kwargs: object) -> None:
    """Load the face model once per worker process, so no pickup pays for loading it (DESIGN §5).

    A failure is logged, not raised: the worker still serves every other task, and a face task
    would then load the model itself (and fail loudly if it cannot).
    """
    if not settings.BIOMETRICS_WARM_UP:
        return
    try:
        warm_up()
    except Exception:
        logger.exception("face engine warm-up failed")
