"""Time-driven changes, run by beat every minute. Each is idempotent and safe to run twice at
once: rows are taken one by one under a row lock (``skip_locked``: another sweep has that one)
and the state is checked again under the lock before anything changes."""

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from fleet.models import VehicleStatus
from testdrives.models import Notification, Payment, PaymentPurpose, PaymentStatus, State, TestDrive
from testdrives.notify import notification_create, staff_alert
from testdrives.selectors import testdrive_overdue_q
from testdrives.services.booking import testdrive_cancel_unpaid, testdrive_release
from testdrives.services.dispatch import dispatch_stow_back, dispatcher
from testdrives.services.holds import hold_extend_for_late_car
from testdrives.services.idcheck import idcheck_close_stale
from vendingstore.queueing import delay_safely


def _each_locked(q: Q, apply: Callable[[TestDrive], bool]) -> int:
    """Apply ``apply`` to every booking matching ``q``, each in its own transaction under its row
    lock, re-checked against ``q``. Returns how many ``apply`` changed."""
    changed = 0
    for pk in list(TestDrive.objects.filter(q).values_list("pk", flat=True)):
        with transaction.atomic():
            td = TestDrive.objects.select_for_update(skip_locked=True).filter(q, pk=pk).first()
            if td is not None and apply(td):
                changed += 1
    return changed


def sweep_no_shows(*, now: datetime) -> int:
    """Scheduled bookings whose window ended without a check-in: no-show, car released."""

    def apply(td: TestDrive) -> bool:
        td.miss(description="window ended without check-in")
        td.finished_at = now
        td.save()
        testdrive_release(test_drive=td)
        return True

    return _each_locked(Q(state=State.SCHEDULED, slot_end__lte=now), apply)


# Checked in and gone before driving off: without the sweep the car sent for at check-in, or
# standing ready in a delivery bay, would wait there and keep its hold forever.
ABANDONABLE = [State.CHECKED_IN, State.VERIFYING, State.READY]


def sweep_abandoned(*, now: datetime) -> int:
    """Bookings checked in but not driven off ``TESTDRIVE_ABANDONED_MINUTES`` after their window
    ended: no-show (the quotas count it like any other), hold released, the car sent back into
    storage, the member told, staff alerted.

    The booking must also have stood still that long (``updated_at``): one that changed late (its
    car arrived after staff retried a tower fault, or staff lifted a lock) gets its own wait,
    rather than its car being taken from a member who may be standing at the bay.

    Left alone: ``locked`` (staff were alerted and decide), ``dispatching`` and
    ``dispatch_failed`` (the tower is moving the car, or staff have its fault); ``verified`` lasts
    only inside the verification's transaction. A car still on its way to the delivery bay is not
    moved here: the tower's inbox stores it back when it arrives for a no-show booking.
    """
    cutoff = now - timedelta(minutes=settings.TESTDRIVE_ABANDONED_MINUTES)

    def apply(td: TestDrive) -> bool:
        td.miss(description="checked in but left without driving off")
        td.finished_at = now
        td.save()
        testdrive_release(test_drive=td)
        dispatch_stow_back(vehicle_id=td.vehicle_id)
        notification_create(test_drive=td, kind="abandoned")
        staff_alert(test_drive=td, what="checked in but left: no-show, car going back into storage")
        return True

    return _each_locked(Q(state__in=ABANDONABLE, slot_end__lte=cutoff, updated_at__lte=cutoff), apply)


def sweep_overdue(*, now: datetime) -> int:
    """Cars not back by the due time plus grace: overdue, member told, staff alerted."""

    def apply(td: TestDrive) -> bool:
        td.mark_overdue(description="not returned by the due time and grace period")
        td.save()
        notification_create(test_drive=td, kind="overdue")
        staff_alert(test_drive=td, what="overdue")
        return True

    return _each_locked(testdrive_overdue_q(now=now), apply)


def sweep_overdue_holds(*, now: datetime) -> int:
    """Overdue cars keep their hold while they are out, and returned ones until their review (it
    could find damage); later bookings of them move to another car."""
    return _each_locked(
        Q(state__in=[State.OVERDUE, State.RETURNED]),
        lambda td: bool(hold_extend_for_late_car(test_drive=td, now=now)),
    )


def sweep_returns_left_in_bay(*, now: datetime) -> int:
    """Returned cars whose member left the bay minutes ago but which still stand in it (the stow
    was refused, or found no storage bay free and an incident was raised): asked again, so a
    delivery bay never stays blocked waiting for the review. A stow already on its way makes the
    ask a no-op."""
    left_before = now - timedelta(minutes=2)

    def apply(td: TestDrive) -> bool:
        dispatch_stow_back(vehicle_id=td.vehicle_id)
        return True

    return _each_locked(
        Q(
            state=State.RETURNED,
            bay_left_at__lte=left_before,
            vehicle__status=VehicleStatus.AT_DELIVERY_BAY,
            vehicle__bay=F("delivery_bay"),
        ),
        apply,
    )


def sweep_reminders(*, now: datetime) -> int:
    """Remind of the pickup shortly before the window, and of the due time shortly before it."""
    before_slot = timedelta(minutes=settings.TESTDRIVE_REMINDER_BEFORE_SLOT_MINUTES)
    before_due = timedelta(hours=settings.TESTDRIVE_DUE_SOON_HOURS)
    # Those already reminded are left out here, not by a failed insert per booking every minute;
    # the unique row still makes a reminder go out once when two sweeps race.
    pickups = (
        TestDrive.objects.filter(state=State.SCHEDULED, slot_start__gt=now, slot_start__lte=now + before_slot)
        .exclude(payments__purpose=PaymentPurpose.TEST_DRIVE_FEE, payments__status=PaymentStatus.PENDING)
        .exclude(notifications__kind="reminder")
    )
    due_soon = TestDrive.objects.filter(
        state=State.ON_DRIVE, due_back_at__gt=now, due_back_at__lte=now + before_due
    ).exclude(notifications__kind="due_soon")
    sent = 0
    for kind, drives in (("reminder", pickups), ("due_soon", due_soon)):
        for td in drives:
            sent += notification_create(test_drive=td, kind=kind) is not None
    return sent


def _eve_of_pickup(td: TestDrive) -> datetime:
    """``TESTDRIVE_REMINDER_EVE_HOUR`` o'clock on the day before the pickup, at the store."""
    tz = ZoneInfo(td.store.time_zone)
    day_before = td.slot_start.astimezone(tz).date() - timedelta(days=1)
    return datetime.combine(day_before, time(settings.TESTDRIVE_REMINDER_EVE_HOUR), tzinfo=tz)


def sweep_pickup_tomorrow(*, now: datetime) -> int:
    """The evening before the pickup: tomorrow's window, code and address. Left out: bookings made
    that evening or later (their confirmation said the same a moment ago) and unpaid ones."""
    drives = (
        TestDrive.objects.filter(
            state=State.SCHEDULED, slot_start__gt=now, slot_start__lte=now + timedelta(days=2)
        )
        .exclude(payments__purpose=PaymentPurpose.TEST_DRIVE_FEE, payments__status=PaymentStatus.PENDING)
        .exclude(notifications__kind="tomorrow")
        .select_related("store")
    )
    sent = 0
    for td in drives:
        eve = _eve_of_pickup(td)
        if td.created_at < eve <= now:
            sent += notification_create(test_drive=td, kind="tomorrow") is not None
    return sent


def sweep_expired_payments(*, now: datetime) -> int:
    """Fee bookings not paid in time: the payment expires and the booking is cancelled."""
    expired = Payment.objects.filter(
        purpose=PaymentPurpose.TEST_DRIVE_FEE, status=PaymentStatus.PENDING, expires_at__lte=now
    )

    def apply(td: TestDrive) -> bool:
        testdrive_cancel_unpaid(test_drive=td, now=now)
        return True

    return _each_locked(Q(state=State.SCHEDULED, pk__in=expired.values("test_drive_id")), apply)


def sweep_lost_messages(*, now: datetime) -> int:
    """Queue again the work whose task message was lost (a broker down at commit, a worker
    machine gone): undelivered notifications, and cars the instant dispatcher has not moved.
    Both tasks check before they act, so a message that was only slow is harmless twice."""
    stale = now - timedelta(minutes=2)
    queued = 0
    for pk in Notification.objects.filter(delivered_at__isnull=True, created_at__lte=stale).values_list(
        "pk", flat=True
    ):
        queued += delay_safely("testdrives.tasks.notification_deliver", pk)
    return queued + dispatcher().requeue_lost(stale=stale)


def testdrives_sweep(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "expired_payments": sweep_expired_payments(now=now),
        "no_shows": sweep_no_shows(now=now),
        "abandoned": sweep_abandoned(now=now),
        "overdue": sweep_overdue(now=now),
        "bookings_moved_off_late_cars": sweep_overdue_holds(now=now),
        "returns_stowed_again": sweep_returns_left_in_bay(now=now),
        "reminders": sweep_reminders(now=now),
        "pickup_tomorrow": sweep_pickup_tomorrow(now=now),
        "requeued": sweep_lost_messages(now=now),
        # After the no-shows and walk-aways: their waiting ID checks close and the pictures go.
        "id_checks_closed": idcheck_close_stale(),
    }
