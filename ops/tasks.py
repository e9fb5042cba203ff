"""Beat work of the operations room; idempotent (every alert is claimed before it is sent)."""

from celery import shared_task

from ops.alerts import ops_alerts as _alerts


@shared_task(
    name="ops.tasks.ops_alerts", ignore_result=True, acks_late=True, soft_time_limit=50, time_limit=60
)
def ops_alerts() -> dict[str, int]:
    return _alerts()
