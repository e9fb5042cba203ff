from celery import shared_task

from vendingstore.health import heartbeat_record


@shared_task(name="vendingstore.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Scheduled by beat, run by a worker: proves both are alive (read by /healthz)."""
    heartbeat_record()
