"""A booking as an iCalendar file (RFC 5545): the pickup window and the return due time.

Hand-written: two events need no library. Times are UTC ("Z"), so no VTIMEZONE is needed; text
is escaped (§3.3.11) and lines are folded at 75 octets without splitting a UTF-8 character
(§3.1). The UIDs are stable per booking and event, so importing the file again after a
reschedule updates the events instead of adding new ones (SEQUENCE grows with each change).
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from testdrives.models import State, TestDrive
from testdrives.notify import late_fee_rule
from vendingstore.formatting import moment_format

CRLF = "\r\n"
_MAX_OCTETS = 75
_GONE = [State.CANCELLED, State.NO_SHOW]


def ics_escape(text: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def ics_fold(line: str) -> str:
    """One content line folded into pieces of at most 75 octets, each continuation starting with
    a space (which counts towards its 75)."""
    pieces: list[str] = []
    current, size, limit = "", 0, _MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current, size, limit = " ", 1, _MAX_OCTETS
        current += char
        size += width
    pieces.append(current)
    return CRLF.join(pieces)


def ics_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _event(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    description: str,
    location: str,
    td: TestDrive,
    now: datetime,
    alarm_before: timedelta,
) -> list[str]:
    # Each save of the booking (a reschedule, a state change) is a later version of its events.
    sequence = max(0, int((td.updated_at - td.created_at).total_seconds() // 60))
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{ics_time(now)}",
        f"LAST-MODIFIED:{ics_time(td.updated_at)}",
        f"SEQUENCE:{sequence}",
        f"DTSTART:{ics_time(start)}",
        f"DTEND:{ics_time(end)}",
        f"SUMMARY:{ics_escape(summary)}",
        f"DESCRIPTION:{ics_escape(description)}",
        f"LOCATION:{ics_escape(location)}",
        f"STATUS:{'CANCELLED' if td.state in _GONE else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
    ]
    if td.state not in _GONE:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{ics_escape(summary)}",
            f"TRIGGER:-PT{int(alarm_before.total_seconds() // 60)}M",
            "END:VALARM",
        ]
    return [*lines, "END:VEVENT"]


def testdrive_due_estimate(*, test_drive: TestDrive) -> tuple[datetime, bool]:
    """(due back, known): the due time once the car left the bay; before that, the latest it can
    be (the drive's hours counted from the end of the pickup window)."""
    if test_drive.due_back_at is not None:
        return test_drive.due_back_at, True
    return test_drive.slot_end + timedelta(hours=settings.TEST_DRIVE_HOURS), False


def testdrive_calendar(*, test_drive: TestDrive, now: datetime) -> str:
    """The booking's calendar file in the current language: the pickup window, and the return
    due time (estimated before the car leaves the bay)."""
    td = test_drive
    store = td.store
    car = f"{td.car_model.brand.display_name} {td.car_model.display_name}"
    location = f"{store.display_name}, {store.display_address}, {store.display_city}"
    domain = settings.CALENDAR_UID_DOMAIN
    due, due_known = testdrive_due_estimate(test_drive=td)
    pickup_text = _(
        "Pickup code: %(code)s. Come to the kiosk at %(store)s between %(start)s and %(end)s, and "
        "enter or scan the code."
    ) % {
        "code": td.pickup_code,
        "store": store.display_name,
        "start": moment_format(td.slot_start),
        "end": moment_format(td.slot_end),
    }
    return_text = _(
        "Drive into a delivery bay at %(store)s and enter or scan your return code at the kiosk."
    ) % {"store": store.display_name}
    return_text += " " + late_fee_rule()
    if td.return_code:
        return_text += " " + _("Return code: %(code)s.") % {"code": td.return_code}
    if not due_known:
        return_text += " " + _("The due time is an estimate: the drive's hours start when you drive off.")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Vending Store//Test drives//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        *_event(
            uid=f"testdrive-{td.pk}-pickup@{domain}",
            start=td.slot_start,
            end=td.slot_end,
            summary=_("Pick up the %(car)s") % {"car": car},
            description=pickup_text,
            location=location,
            td=td,
            now=now,
            alarm_before=timedelta(hours=1),
        ),
        *_event(
            uid=f"testdrive-{td.pk}-return@{domain}",
            start=due - timedelta(minutes=30),
            end=due,
            summary=_("Return the %(car)s") % {"car": car},
            description=return_text,
            location=location,
            td=td,
            now=now,
            alarm_before=timedelta(hours=settings.TESTDRIVE_DUE_SOON_HOURS),
        ),
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + CRLF for line in lines)
