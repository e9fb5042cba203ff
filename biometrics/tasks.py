"""Background work for biometrics. Tasks take ids, re-load, and call a service; each is idempotent
(a redelivered task decides once), acknowledged late, retried with backoff on errors."""

from celery import shared_task

from biometrics import services

RETRY = {"autoretry_for": (Exception,), "max_retries": 3, "retry_backoff": True, "retry_jitter": True}


@shared_task(name="biometrics.tasks.face_enrol_decide", ignore_result=True, **RETRY)
def face_enrol_decide(enrolment_id: int) -> str:
    return services.face_enrol_decide(enrolment_id=enrolment_id)


@shared_task(name="biometrics.tasks.face_verify_pickup", ignore_result=True, **RETRY)
def face_verify_pickup(attempt_id: int) -> str:
    return services.face_verify_pickup(attempt_id=attempt_id)


@shared_task(name="biometrics.tasks.biometrics_retention_sweep", ignore_result=True)
def biometrics_retention_sweep() -> int:
    """Templates due for deletion, then disputed frames past their retention and orphaned frames."""
    return services.biometrics_retention_sweep() + services.face_frames_sweep()


@shared_task(name="biometrics.tasks.face_work_requeue_stale", ignore_result=True)
def face_work_requeue_stale() -> int:
    """The beat's sweep for lost face work: pickup attempts, and enrolments with them."""
    return services.face_attempts_requeue_stale() + services.face_enrolments_requeue_stale()
