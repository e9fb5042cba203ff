"""What biometrics does when something happens elsewhere: a worker process starts, a member is
anonymised."""

import logging

from celery.signals import worker_init, worker_process_init
from django.conf import settings
from django.dispatch import receiver

from biometrics.engine import models_load, warm_up
from biometrics.services import consent_withdraw
from members.models import Member
from members.signals import member_anonymised

logger = logging.getLogger(__name__)


@worker_init.connect
def face_models_load(**kwargs: object) -> None:
    """Load every face model in the worker's main process, before the prefork pool forks: the
    children inherit them and share their pages instead of each loading its own (issue 18).

    A failure is logged, not raised: the worker still serves every other task, and each child
    loads what it misses in ``face_engine_warm_up``.
    """
    if not (settings.BIOMETRICS_WARM_UP and settings.BIOMETRICS_LOAD_BEFORE_FORK):
        return
    try:
        models_load()
    except Exception:
        logger.exception("face models failed to load")


@worker_process_init.connect
def face_engine_warm_up(**kwargs: object) -> None:
    """Run every face model once in each worker process (loading any the main process did not),
    so that no pickup pays for a load or a first run (DESIGN §5).

    A failure is logged, not raised: the worker still serves every other task, and a face task
    would then load the model itself (and fail loudly if it cannot).
    """
    if not settings.BIOMETRICS_WARM_UP:
        return
    try:
        warm_up()
    except Exception:
        logger.exception("face engine warm-up failed")


@receiver(member_anonymised)
def face_data_delete(*, member: Member, **kwargs: object) -> None:
    """Face data goes at once with the account (PIPL art. 47): consent withdrawn, template deleted."""
    consent_withdraw(member=member)
