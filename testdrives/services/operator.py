"""The remote operator: called when the face check cannot be used at a kiosk with no one on site
(``staff_alert``, the store's alert channel, asks them to check the driving licence and ID card:
no template, one made by an older model, the camera broken), and what they do about cars that are
late or left waiting in a delivery bay."""

import logging

from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from testdrives.errors import TransitionRefused
from testdrives.models import Notification, NotificationKind, State, TestDrive
from testdrives.notify import notification_create, notification_text, staff_alert
from testdrives.services.booking import testdrive_release
from testdrives.services.dispatch import dispatch_stow_back
from vendingstore.queueing import delay_on_commit
from vendingstore.sms import sms_backend

logger = logging.getLogger(__name__)

# One alert per booking and reason in this period, however often the kiosk page asks.
ALERT_EVERY_SECONDS = 10 * 60


def face_pickup_operator_call(*, test_drive: TestDrive, reason: str) -> bool:
    """Alert the remote operator that this customer needs the ID check; False when an alert for
    the same booking and reason went out within ALERT_EVERY_SECONDS."""
    if not cache.add(f"operator-call:{test_drive.pk}:{reason}", 1, timeout=ALERT_EVERY_SECONDS):
        return False
    with transaction.atomic():
        staff_alert(test_drive=test_drive, what=f"ID check needed at the kiosk ({reason})")
    return True


def _locked_in(pk: int, state: str, refusal: str | Promise) -> TestDrive:
    td = TestDrive.objects.select_for_update(of=("self",)).select_related("member__user").get(pk=pk)
    if td.state != state:
        raise TransitionRefused(refusal)
    return td


def _pk(test_drive: TestDrive | int) -> int:
    return test_drive if isinstance(test_drive, int) else test_drive.pk


def testdrive_overdue_remind(*, test_drive: TestDrive | int) -> TestDrive:
    """Send the member the overdue message again (e-mail and SMS, in their language), after
    commit through a task. Refused unless the car is overdue."""
    with transaction.atomic():
        td = _locked_in(_pk(test_drive), State.OVERDUE, _("This car is not overdue."))
        delay_on_commit("testdrives.tasks.overdue_reminder_send", td.pk, timezone.now().isoformat())
    return td


def overdue_reminder_send(*, test_drive_id: int, asked_at: str) -> bool:
    """Deliver one operator's reminder once (a redelivered task sends nothing twice); False when
    it was sent already or the car came back meanwhile."""
    td = TestDrive.objects.select_related("member__user", "car_model__brand", "store").get(pk=test_drive_id)
    if td.state != State.OVERDUE:
        return False
    if not cache.add(f"overdue-reminder:{td.pk}:{asked_at}", 1, timeout=24 * 3600):
        return False
    subject, body = notification_text(
        Notification(member=td.member, test_drive=td, kind=NotificationKind.OVERDUE)
    )
    try:
        if td.member.user.email:
            send_mail(subject, body, None, [td.member.user.email])
        if td.member.mobile:
            sms_backend().send(to=td.member.mobile, text=body)
    except Exception:
        cache.delete(f"overdue-reminder:{td.pk}:{asked_at}")  # the task's retry sends it
        raise
    return True


def testdrive_overdue_report(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """The operator reported an overdue car as not returned (police, insurer): recorded on the
    booking, which leaves the console's overdue queue. Reporting twice keeps the first time."""
    with transaction.atomic():
        td = _locked_in(_pk(test_drive), State.OVERDUE, _("This car is not overdue."))
        if td.reported_missing_at is None:
            td.reported_missing_at = timezone.now()
            td.save(update_fields=["reported_missing_at", "updated_at"])
            logger.warning("booking %s reported as not returned by %s: %s", td.pickup_code, by, reason)
    return td


def testdrive_walked_away_release(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """The car waits in a delivery bay and the member never opened the gate: the booking counts as
    missed (as the sweep would decide later), the hold ends, the car goes back into storage and
    the member is told. Refused unless the car is ready at the bay."""
    with transaction.atomic():
        td = _locked_in(_pk(test_drive), State.READY, _("This car is not waiting in a delivery bay."))
        td.miss(by=by, description=reason or "released from the delivery bay by the operator")
        td.finished_at = timezone.now()
        td.save()
        testdrive_release(test_drive=td)
        dispatch_stow_back(vehicle_id=td.vehicle_id)
        notification_create(test_drive=td, kind=NotificationKind.ABANDONED)
    return td
