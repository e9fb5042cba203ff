"""Messages to members: one in-app list, e-mail, and text messages through a pluggable backend;
and alerts to the store's staff.

``notification_create`` is called inside a service's transaction; delivery (e-mail and SMS) runs
in a Celery task after commit. The unique (booking, kind) row makes every message go out once,
however often a sweep runs.
"""

import logging

from django.conf import settings
from django.core.mail import mail_admins, send_mail
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from testdrives.models import Notification, NotificationKind, ReturnCharge, TestDrive
from vendingstore.formatting import moment_format, money_format
from vendingstore.queueing import delay_on_commit
from vendingstore.sms import sms_backend

logger = logging.getLogger(__name__)


def notification_create(*, test_drive: TestDrive, kind: str) -> Notification | None:
    """Record a message for the member and deliver it after commit. None: it was already sent."""
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                member_id=test_drive.member_id, test_drive=test_drive, kind=kind
            )
    except IntegrityError:
        return None
    delay_on_commit("testdrives.tasks.notification_deliver", note.pk)
    return note


def late_fee_rule() -> str:
    """The late fee rule in the current language, with the amounts in force."""
    return _(
        "Back more than %(grace)s minutes late: a late fee of %(fee)s per started hour from the due time, "
        "at most %(cap)s."
    ) % {
        "fee": money_format(settings.TESTDRIVE_LATE_FEE_PER_HOUR_CNY),
        "grace": settings.TESTDRIVE_GRACE_MINUTES,
        "cap": money_format(settings.TESTDRIVE_LATE_FEE_CAP_CNY),
    }


def notification_text(note: Notification, *, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of a message in ``language``, by default the member's own."""
    td = note.test_drive
    # Times as the store's clock shows them: the member comes to the store at that time.
    with translation.override(language or td.member.preferred_language), timezone.override(td.store.zone):
        car = td.car_model.display_name
        when = moment_format(td.slot_start)
        due = moment_format(td.due_back_at) if td.due_back_at else ""
        bodies = {
            NotificationKind.BOOKED: _(
                "Your test drive of the %(car)s is booked for %(when)s at %(store)s, %(address)s. "
                "Pickup code: %(code)s."
            ),
            NotificationKind.TOMORROW: _(
                "Tomorrow: pick up your %(car)s between %(when)s and %(until)s at %(store)s, %(address)s. "
                "Pickup code: %(code)s."
            ),
            NotificationKind.REMINDER: _(
                "Reminder: pick up your %(car)s between %(when)s and %(until)s at %(store)s, %(address)s. "
                "Pickup code: %(code)s."
            ),
            NotificationKind.READY: _("Your %(car)s is waiting for you at the delivery bay."),
            NotificationKind.DUE_SOON: _(
                "Your %(car)s is due back at %(due)s. Drive into a delivery bay at %(store)s, %(address)s, "
                "and enter or scan your return code %(return_code)s at the kiosk. %(late_fee)s"
            ),
            NotificationKind.OVERDUE: _(
                "Your %(car)s was due back at %(due)s. Please bring it back to %(store)s, %(address)s, now: "
                "drive into a delivery bay and enter or scan your return code %(return_code)s at the kiosk. "
                "%(late_fee)s"
            ),
            NotificationKind.PURCHASED: _("Congratulations on your %(car)s! Your purchase is confirmed."),
            NotificationKind.ORDER_READY: _(
                "Your %(car)s is registered and ready for you. Your purchase page says how it reaches you."
            ),
            NotificationKind.CANCELLED: _("Your test drive of the %(car)s on %(when)s is cancelled."),
            NotificationKind.ABANDONED: _(
                "You checked in for your test drive of the %(car)s on %(when)s but did not drive off. "
                "The car has gone back and the booking counts as missed."
            ),
            NotificationKind.CHARGED: _(
                "We reviewed the return of your %(car)s and charged %(charge)s. The photos and the reason "
                "are on your booking page."
            ),
        }
        kind = NotificationKind(note.kind)
        subject = str(kind.label)
        body = bodies[kind] % {
            "car": car,
            "when": when,
            "until": formats.time_format(timezone.localtime(td.slot_end), "TIME_FORMAT"),
            "late_fee": late_fee_rule(),
            "due": due,
            "code": td.pickup_code,
            "return_code": td.return_code or "",
            "charge": _charge_text(td),
            "store": td.store.display_name,
            "address": f"{td.store.display_address}, {td.store.display_city}",
        }
    return subject, body


def _charge_text(td: TestDrive) -> str:
    charge = ReturnCharge.objects.filter(test_drive=td).first()
    if charge is None:
        return ""
    return f"{charge.amount_cny} CNY ({charge.get_kind_display()}: {charge.reason})"


def notification_deliver(*, notification_id: int) -> bool:
    """Send one message by e-mail and SMS, once: the row is claimed with a conditional UPDATE."""
    claimed = Notification.objects.filter(pk=notification_id, delivered_at__isnull=True).update(
        delivered_at=timezone.now()
    )
    if not claimed:
        return False
    note = Notification.objects.select_related(
        "test_drive__member__user", "test_drive__car_model__brand", "test_drive__store"
    ).get(pk=notification_id)
    subject, body = notification_text(note)
    member = note.test_drive.member
    try:
        if member.user.email:
            send_mail(subject, body, None, [member.user.email])
        if member.mobile:
            sms_backend().send(to=member.mobile, text=body)
    except Exception:
        # Give the claim back so the task's retry sends it; the in-app list has it already.
        Notification.objects.filter(pk=notification_id).update(delivered_at=None)
        raise
    return True


def staff_alert(*, test_drive: TestDrive, what: str) -> None:
    """Tell the store's staff (``STAFF_ALERT_EMAILS``) after commit; the log has it at once."""
    subject = f"Test drive {test_drive.pickup_code} at {test_drive.store}: {what}"
    logger.warning("staff alert: %s", subject)
    body = f"{subject}\nState: {test_drive.state}\n"
    transaction.on_commit(lambda: mail_admins(subject, body, fail_silently=True))
