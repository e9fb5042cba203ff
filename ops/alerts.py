"""Alerts that reach someone: each thing that needs a person is alerted once to the operators on
duty for its store (e-mail and SMS through the store's interfaces), and escalated once to the
managers on duty if nobody claimed it in ``OPS_ESCALATE_AFTER_MINUTES``. Run by beat; every step
is claimed with a conditional UPDATE, so two beats, or a task run twice, send nothing twice."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.utils import timezone

from fleet.models import Store
from ops.models import Duty, QueueItem
from ops.queues import Need, needs_open
from ops.services import queue_item_for
from vendingstore.sms import sms_backend

logger = logging.getLogger(__name__)


def duties_now(*, store: Store, escalations: bool = False) -> list[Duty]:
    """Who is on duty for ``store`` now, by the store's local time (managers only when asked)."""
    local = timezone.localtime(timezone.now(), ZoneInfo(store.time_zone)).time()
    duties = Duty.objects.filter(stores=store, user__is_active=True).select_related("user")
    if escalations:
        duties = duties.filter(escalations=True)
    return [duty for duty in duties if duty.covers(local)]


def alert_send(*, duties: list[Duty], subject: str, body: str) -> int:
    """E-mail and SMS to each on duty; with nobody on duty the store's alert address
    (``STAFF_ALERT_EMAILS``) gets it, so an alert is never dropped. Returns the people reached."""
    if not duties:
        mail_admins(subject, body)
        return 0
    emails = sorted({duty.user.email for duty in duties if duty.user.email})
    if emails:
        send_mail(subject, body, None, emails)
    for mobile in sorted({duty.mobile for duty in duties if duty.mobile}):
        sms_backend().send(to=mobile, text=subject)
    return len(duties)


def _body(need: Need) -> str:
    return f"{need.subject}\nWaiting since {timezone.localtime(need.since):%Y-%m-%d %H:%M}.\nConsole: /ops/\n"


def _alert_once(item: QueueItem, need: Need) -> bool:
    if not QueueItem.objects.filter(pk=item.pk, alerted_at__isnull=True).update(alerted_at=timezone.now()):
        return False
    try:
        alert_send(duties=duties_now(store=need.store), subject=need.subject, body=_body(need))
    except Exception:
        QueueItem.objects.filter(pk=item.pk).update(alerted_at=None)  # the next run tries again
        raise
    return True


def _escalate_once(item: QueueItem, need: Need) -> bool:
    due = timezone.now() - timedelta(minutes=settings.OPS_ESCALATE_AFTER_MINUTES)
    won = QueueItem.objects.filter(
        pk=item.pk, claimed_by__isnull=True, escalated_at__isnull=True, alerted_at__lte=due
    ).update(escalated_at=timezone.now())
    if not won:
        return False
    subject = f"Unclaimed for {settings.OPS_ESCALATE_AFTER_MINUTES} min: {need.subject}"
    try:
        alert_send(duties=duties_now(store=need.store, escalations=True), subject=subject, body=_body(need))
    except Exception:
        QueueItem.objects.filter(pk=item.pk).update(escalated_at=None)
        raise
    return True


def ops_alerts() -> dict[str, int]:
    """Alert what is new, escalate what waited unclaimed, close what no longer needs anyone."""
    needs = needs_open()
    alerted = escalated = 0
    for need in needs:
        item = need.item or queue_item_for(need=need)
        alerted += _alert_once(item, need)
        escalated += _escalate_once(item, need)
    open_keys = {(n.kind, n.key) for n in needs}
    gone = [
        i.pk for i in QueueItem.objects.filter(closed_at__isnull=True) if (i.kind, i.key) not in open_keys
    ]
    closed = QueueItem.objects.filter(pk__in=gone).update(closed_at=timezone.now())
    return {"alerted": alerted, "escalated": escalated, "closed": closed}
