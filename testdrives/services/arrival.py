"""The member says "I'm at the store — get my car ready" from their phone (the follow page or the
app), before the kiosk check-in.

It is a heads-up, not a step of the booking: nothing is sent for yet (the car's retrieve is still
sent at the kiosk check-in, ``testdrive_check_in``), but while the announcement stands the tower
holds stores and relocations back so a lift is free when the member checks in
(``tower.arrival_gate``; the count comes from ``testdrives.selectors.tower_arrivals_expected``).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from testdrives.errors import PaymentFailed, TransitionRefused
from testdrives.models import State, TestDrive
from testdrives.selectors import testdrive_fee_pending


def testdrive_announce_arrival(*, test_drive: TestDrive, now: datetime) -> TestDrive:
    """Record that the member is at the store now. Idempotent: a second tap within
    ``TESTDRIVE_ARRIVAL_VALID_MINUTES`` changes nothing; a later one renews the announcement.

    Refused (the booking is left as it was): once checked in or finished, before the kiosk's
    check-in window opens or after the window ends, or with the fee unpaid — the kiosk would turn
    the member away, so the tower must not wait for them.
    """
    with transaction.atomic():
        td = TestDrive.objects.select_for_update(of=("self",)).get(pk=test_drive.pk)
        if td.state != State.SCHEDULED:
            raise TransitionRefused(
                _("This booking is %(state)s: there is nothing to announce.")
                % {"state": td.get_state_display()}
            )
        opens = td.slot_start - timedelta(minutes=settings.TESTDRIVE_CHECK_IN_EARLY_MINUTES)
        if now < opens:
            raise TransitionRefused(
                _("You are early: tell us you are here from %(time)s, when check-in opens.")
                % {"time": timezone.localtime(opens, td.store.zone).strftime("%H:%M")}
            )
        if now > td.slot_end:
            raise TransitionRefused(_("Your pickup window has ended. Please book again."))
        if testdrive_fee_pending(test_drive=td) is not None:
            raise PaymentFailed(_("The test-drive fee is not paid yet. Please pay it in the app first."))
        if not arrival_standing(td, now):
            td.arriving_at = now
            td.save(update_fields=["arriving_at", "updated_at"])
    return td


def arrival_standing(test_drive: TestDrive, now: datetime) -> bool:
    """Whether the member's announcement still counts at ``now`` (booked, not checked in, and
    announced within ``TESTDRIVE_ARRIVAL_VALID_MINUTES``)."""
    at = test_drive.arriving_at
    return (
        test_drive.state == State.SCHEDULED
        and at is not None
        and now - at < timedelta(minutes=settings.TESTDRIVE_ARRIVAL_VALID_MINUTES)
    )
