"""Follow a booking: where it stands now, for the member's follow page and the status API.

One read (``testdrive_follow``) gives both the same answer: the steps done, a sentence for the
current one, the tower's ETA while the car comes down, the bay, the time left of the drive, the
codes that apply now, the store's address, map link and opening hours, and how soon to ask again
(None once nothing can change without the member doing something elsewhere).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from fleet.models import BayKind, Store, Weekday
from members.models import Member
from testdrives.models import State, TestDrive
from testdrives.selectors import testdrive_list_for_member
from testdrives.services.arrival import arrival_standing
from testdrives.services.tower_moves import testdrive_ref
from tower.selectors import retrieve_estimate_s, retrieve_eta
from vendingstore.formatting import moment_format

S = State
# The member's path through a drive; off-path states (locked, a tower fault, overdue) sit on the
# step they interrupt.
STEPS = [
    ("booked", gettext_lazy("Booked")),
    ("checked_in", gettext_lazy("Checked in")),
    ("verified", gettext_lazy("Identity confirmed")),
    ("on_its_way", gettext_lazy("Car on its way")),
    ("ready", gettext_lazy("Car ready at the bay")),
    ("on_drive", pgettext_lazy("booking state", "On the road")),
    ("returned", gettext_lazy("Returned")),
]
_STEP_OF_STATE: dict[str, int] = {
    S.SCHEDULED: 0,
    S.CHECKED_IN: 1,
    S.VERIFYING: 1,
    S.LOCKED: 1,
    S.VERIFIED: 2,
    S.DISPATCHING: 3,
    S.DISPATCH_FAILED: 3,
    S.READY: 4,
    S.ON_DRIVE: 5,
    S.OVERDUE: 5,
    S.RETURNED: 7,  # every step done
    S.COMPLETED: 7,
    S.PURCHASED: 7,
}
# While the member is at the store, things change by the second: ask again every few seconds.
AT_THE_STORE = [S.CHECKED_IN, S.VERIFYING, S.VERIFIED, S.LOCKED, S.DISPATCHING, S.DISPATCH_FAILED, S.READY]
POLL_AT_STORE_SECONDS = 3
# On the road only the time left changes (and the return, at the kiosk): once a minute is enough.
POLL_ON_ROAD_SECONDS = 60
# States in which the tower may be bringing the car down (early retrieve starts at check-in).
_CAR_MAY_COME = [S.CHECKED_IN, S.VERIFYING, S.VERIFIED, S.LOCKED, S.DISPATCHING]


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    status: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class OpeningHours:
    weekday: int
    day: str
    opens: time | None  # None: closed that day
    closes: time | None


@dataclass(frozen=True)
class DriveStatus:
    test_drive: TestDrive
    state: str
    state_label: str
    headline: str
    steps: list[Step]
    eta_seconds: int | None
    eta_source: str | None  # "tower" (the controller's queue) or "estimate" (the physics alone)
    bay: str | None
    due_back_at: datetime | None
    # Of the TEST_DRIVE_HOURS: from departure to the due time.
    drive_seconds: int
    seconds_left: int | None
    overdue: bool
    pickup_code: str | None  # while it opens the kiosk: before check-in
    return_code: str | None  # while it closes the drive: on the road
    store: Store
    opening_hours: list[OpeningHours]
    map_url: str
    poll_seconds: int | None
    # "I'm at the store": offered in the kiosk's check-in window before check-in; announced while
    # the member's announcement stands (testdrives.services.arrival).
    can_announce_arrival: bool = False
    arrival_announced: bool = False

    @property
    def live(self) -> bool:
        return self.poll_seconds is not None

    @property
    def eta_words(self) -> str:
        return duration_words(self.eta_seconds) if self.eta_seconds else ""

    @property
    def elapsed_percent(self) -> int | None:
        if self.seconds_left is None or not self.drive_seconds:
            return None
        used = self.drive_seconds - self.seconds_left
        return max(0, min(100, round(100 * used / self.drive_seconds)))


def store_opening_hours(*, store: Store) -> list[OpeningHours]:
    """Monday to Sunday; a day without a row is closed (``StoreHours``). Uses ``hours`` when
    prefetched."""
    by_day = {h.weekday: h for h in store.hours.all()}
    rows = []
    for day in Weekday:
        hours = by_day.get(day.value)
        rows.append(
            OpeningHours(
                weekday=day.value,
                day=str(day.label),
                opens=hours.opens if hours else None,
                closes=hours.closes if hours else None,
            )
        )
    return rows


def store_map_url(*, store: Store) -> str:
    """A map search for the store's address (``STORE_MAP_SEARCH_URL``, Amap by default: the maps
    app members in China have). The Chinese address when there is one: what the map knows."""
    where = f"{store.city_zh or store.city} {store.address_zh or store.address}"
    return settings.STORE_MAP_SEARCH_URL.format(query=quote(where))


def duration_words(seconds: int) -> str:
    """A wait in words: "about 40 seconds", "about 3 minutes"."""
    if seconds < 90:
        return ngettext("about %(n)s second", "about %(n)s seconds", seconds) % {"n": seconds}
    minutes = round(seconds / 60)
    return ngettext("about %(n)s minute", "about %(n)s minutes", minutes) % {"n": minutes}


def _steps(state: str) -> list[Step]:
    current = _STEP_OF_STATE.get(state)
    if current is None:  # cancelled, missed: the path was left
        return []
    return [
        Step(key, str(label), "done" if i < current else "current" if i == current else "todo")
        for i, (key, label) in enumerate(STEPS)
    ]


def _eta(td: TestDrive) -> tuple[int | None, str | None, str | None]:
    """(seconds, source, bay code) of the car on its way: the tower's open retrieve, else the
    physics' estimate from the car's storage bay once the car is sent for; Nones otherwise."""
    if td.state not in _CAR_MAY_COME:
        return None, None, None
    eta = retrieve_eta(ref=testdrive_ref(td.pk))
    if eta is not None:
        return eta[1], "tower", eta[0]
    bay = td.vehicle.bay
    if td.state in (S.VERIFIED, S.DISPATCHING) and bay is not None and bay.kind == BayKind.STORAGE:
        return retrieve_estimate_s(bay=bay), "estimate", None
    return None, None, None


def _poll_seconds(td: TestDrive, now: datetime) -> int | None:
    if td.state in AT_THE_STORE:
        return POLL_AT_STORE_SECONDS
    if td.state in (S.ON_DRIVE, S.OVERDUE):
        return POLL_ON_ROAD_SECONDS
    if _check_in_open(td, now):
        return POLL_AT_STORE_SECONDS  # the member may be checking in at the kiosk right now
    return None


def _check_in_open(td: TestDrive, now: datetime) -> bool:
    """Booked, and the kiosk takes its pickup code now."""
    check_in_opens = td.slot_start - timedelta(minutes=settings.TESTDRIVE_CHECK_IN_EARLY_MINUTES)
    return td.state == S.SCHEDULED and check_in_opens <= now <= td.slot_end


def _headline(td: TestDrive, *, bay: str | None, eta_seconds: int | None) -> str:
    due = moment_format(td.due_back_at) if td.due_back_at else ""
    if td.state == S.SCHEDULED:
        return _(
            "Booked. Come to the kiosk between %(start)s and %(end)s and enter or scan your pickup code."
        ) % {"start": moment_format(td.slot_start), "end": moment_format(td.slot_end)}
    if td.state == S.DISPATCHING and bay and eta_seconds:
        return _("Your car is on its way to bay %(bay)s, %(eta)s.") % {
            "bay": bay,
            "eta": duration_words(eta_seconds),
        }
    if td.state == S.DISPATCHING and eta_seconds:
        return _("Your car is on its way, %(eta)s.") % {"eta": duration_words(eta_seconds)}
    if td.state == S.READY:
        return _("Your car is waiting in bay %(bay)s. Your 72 hours start when the gate opens.") % {
            "bay": bay or "",
        }
    if td.state == S.ON_DRIVE:
        return _("On the road. Bring the car back by %(due)s.") % {"due": due}
    if td.state == S.OVERDUE:
        return _(
            "The car was due back at %(due)s. Please bring it back now: a late fee applies per started hour."
        ) % {"due": due}
    return str(_HEADLINES.get(td.state, td.get_state_display()))


_HEADLINES = {
    S.CHECKED_IN: gettext_lazy("Checked in. Confirm it is you at the kiosk."),
    S.VERIFYING: gettext_lazy("Checking it is you…"),
    S.LOCKED: gettext_lazy(
        "We could not confirm it is you. A remote operator checks your documents at the kiosk."
    ),
    S.VERIFIED: gettext_lazy("Identity confirmed. Your car is being sent for."),
    S.DISPATCHING: gettext_lazy("Your car is on its way to a delivery bay."),
    S.DISPATCH_FAILED: gettext_lazy(
        "The tower has a fault. Our remote operators have been alerted and are on it."
    ),
    S.RETURNED: gettext_lazy("Returned. Thank you for driving with us!"),
    S.COMPLETED: gettext_lazy("Completed. Thank you for driving with us!"),
    S.PURCHASED: gettext_lazy("You bought this car. Congratulations!"),
    S.CANCELLED: gettext_lazy("This booking is cancelled."),
    S.NO_SHOW: gettext_lazy("This booking was missed."),
}


def testdrive_follow(*, test_drive: TestDrive, now: datetime) -> DriveStatus:
    """Where ``test_drive`` stands at ``now``, in the current language. Read-only."""
    td = test_drive
    eta_seconds, eta_source, eta_bay = _eta(td)
    bay = td.delivery_bay.code if td.delivery_bay else eta_bay
    on_road = td.state in (S.ON_DRIVE, S.OVERDUE)
    seconds_left = max(0, int((td.due_back_at - now).total_seconds())) if on_road and td.due_back_at else None
    return DriveStatus(
        test_drive=td,
        state=td.state,
        state_label=str(td.get_state_display()),
        headline=_headline(td, bay=bay, eta_seconds=eta_seconds),
        steps=_steps(td.state),
        eta_seconds=eta_seconds,
        eta_source=eta_source,
        bay=bay,
        due_back_at=td.due_back_at,
        drive_seconds=settings.TEST_DRIVE_HOURS * 3600,
        seconds_left=seconds_left,
        overdue=td.state == S.OVERDUE or (on_road and td.due_back_at is not None and td.due_back_at < now),
        pickup_code=td.pickup_code if td.state == S.SCHEDULED else None,
        return_code=td.return_code if on_road else None,
        store=td.store,
        opening_hours=store_opening_hours(store=td.store),
        map_url=store_map_url(store=td.store),
        poll_seconds=_poll_seconds(td, now),
        can_announce_arrival=_check_in_open(td, now),
        arrival_announced=arrival_standing(td, now),
    )


def testdrive_followed_get_for_member(*, member: Member, pk: int) -> TestDrive:
    """The member's own booking with what following it reads (its car's bay, the delivery bay,
    the store's hours), or ``Http404``, like ``testdrive_get_for_member``."""
    drives = (
        testdrive_list_for_member(member=member)
        .select_related("vehicle__bay__tower", "delivery_bay")
        .prefetch_related("store__hours")
    )
    return get_object_or_404(drives, pk=pk)
