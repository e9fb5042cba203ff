"""Read-side queries for test drives: pickup windows and what is free in them, and bookings."""

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_fsm_log.models import StateLog

from fleet.models import CarModel, Paint, Store, Tower, Vehicle, VehicleHold
from fleet.selectors import vehicle_list_promisable
from members.models import Member
from testdrives.models import (
    ACTIVE,
    Extension,
    Notification,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    PickupWindow,
    State,
    TestDrive,
)
from testdrives.notify import notification_text
from vendingstore.formatting import moment_format
from vendingstore.pgnotify import listening

_BOOKED = gettext_lazy("Booked")
_PAID_LABELS = {
    PaymentPurpose.TEST_DRIVE_FEE: gettext_lazy("Test-drive fee paid"),
    PaymentPurpose.LATE_FEE: gettext_lazy("Late fee paid"),
}


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    cars_free: int

    @property
    def left(self) -> int:
        return max(0, min(self.capacity - self.booked, self.cars_free))


# A booking's state change that sends no notification (not through the lifecycle's services) is
# still seen by a waiting request within this long.
STATE_RECHECK_S = 0.25


def testdrive_state_channel(test_drive_id: int) -> str:
    """The notification channel of one booking's state (``vendingstore.pgnotify``)."""
    return f"testdrive_state_{int(test_drive_id)}"


def testdrive_state_wait_while(*, test_drive_id: int, state: str, wait_s: float, step_s: float = 0.01) -> str:
    """The booking's state, once it is no longer ``state`` or after ``wait_s`` at most.

    The kiosk asks this while a worker decides the face check: the answer comes as the decision
    commits instead of at the page's next poll. On PostgreSQL the request sleeps until the
    transaction that changes the state commits and wakes it (the lifecycle's services notify
    ``testdrive_state_channel``), looking again every STATE_RECHECK_S all the same; elsewhere,
    or inside a transaction, it looks every ``step_s``. Each look is one indexed read; the number
    of looks is bounded too, so a frozen clock in a test cannot make it spin.
    """
    deadline = time.monotonic() + wait_s
    with listening(testdrive_state_channel(test_drive_id)) as listener:
        step = STATE_RECHECK_S if listener.hears else step_s
        for _ in range(max(1, int(wait_s / step_s))):
            current = TestDrive.objects.filter(pk=test_drive_id).values_list("state", flat=True).first()
            remaining = deadline - time.monotonic()
            if current != state or remaining <= 0:
                return str(current)
            listener.wait(min(step, remaining))
    return state


def slot_length() -> timedelta:
    return timedelta(minutes=settings.TESTDRIVE_SLOT_MINUTES)


def hold_period(*, slot_start: datetime) -> tuple[datetime, datetime]:
    """The time a booking keeps its car: from its window to the latest return plus turnaround."""
    end = (
        slot_start
        + slot_length()
        + timedelta(hours=settings.TEST_DRIVE_HOURS)
        + timedelta(hours=settings.TESTDRIVE_TURNAROUND_HOURS)
    )
    return slot_start, end


def store_window_capacity(*, store: Store) -> int:
    """Pickups the store can hand over in one window: each tower's lifts and delivery bays."""
    seconds = settings.TESTDRIVE_SLOT_MINUTES * 60
    return sum(tower.pickups_per_window(seconds) for tower in store.towers.all())


def store_localdate(*, store: Store, at: datetime | None = None) -> date:
    """The store's calendar day at ``at`` (default: this moment; without an offset, a time on the
    store's clock). Today turns at the store's midnight, not at the project's TIME_ZONE's."""
    return timezone.localdate(store_moment(store=store, moment=at or timezone.now()), store.zone)


def store_moment(*, store: Store, moment: datetime) -> datetime:
    """``moment`` as an aware datetime. One with an offset is an instant and stays as it is; one
    without is a time on the store's clock (a posted "10:00" is 10:00 at the store)."""
    if timezone.is_aware(moment):
        return moment
    return moment.replace(tzinfo=store.zone)


def booking_days(*, store: Store, now: datetime | None = None) -> list[date]:
    """The store's today and every following day a booking may be made for."""
    today = store_localdate(store=store, at=now)
    return [today + timedelta(days=n) for n in range(settings.TESTDRIVE_BOOK_AHEAD_DAYS + 1)]


def booking_day_in_range(*, store: Store, day: date, now: datetime | None = None) -> bool:
    """Whether ``day`` is one of ``booking_days``. Callers ask this before any date arithmetic on
    ``day``: a window near midnight on 9999-12-31 would overflow ``datetime``."""
    today = store_localdate(store=store, at=now)
    return today <= day <= today + timedelta(days=settings.TESTDRIVE_BOOK_AHEAD_DAYS)


def store_window_starts(*, store: Store, day: date) -> list[datetime]:
    """Every window start on ``day`` (the store's own calendar day) inside its opening hours, on
    the store's clock (``Store.zone``)."""
    hours = store.hours.filter(weekday=day.weekday()).first()
    if hours is None:
        return []
    start = datetime.combine(day, hours.opens, tzinfo=store.zone)
    close = datetime.combine(day, hours.closes, tzinfo=store.zone)
    starts = []
    while start + slot_length() <= close:
        starts.append(start)
        start += slot_length()
    return starts


def is_bookable_window(*, store: Store, starts_at: datetime, now: datetime) -> bool:
    """Whether ``starts_at`` (aware) is one of the store's windows and still open for booking at
    ``now``."""
    local = starts_at.astimezone(store.zone)
    if not booking_day_in_range(store=store, day=local.date(), now=now):
        return False
    if starts_at not in store_window_starts(store=store, day=local.date()):
        return False
    return _window_open_for_booking(starts_at, now)


def _window_open_for_booking(starts_at: datetime, now: datetime) -> bool:
    last_call = (
        starts_at + slot_length() - timedelta(minutes=settings.TESTDRIVE_BOOK_UNTIL_MINUTES_BEFORE_END)
    )
    return now <= last_call and starts_at <= now + timedelta(days=settings.TESTDRIVE_BOOK_AHEAD_DAYS)


def vehicle_candidates(*, store: Store, car_model: CarModel, paint: Paint | None) -> QuerySet[Vehicle]:
    """The store's cars of this model (and paint) that may be promised, best first.

    Cars already in storage come first, lowest level first: the shortest lift trip.
    """
    # fleet's rule of which cars may be promised, so bookings and the availability shown agree.
    qs = vehicle_list_promisable().filter(store=store, car_model=car_model)
    if paint is not None:
        qs = qs.filter(paint=paint)
    return qs.order_by("bay__level", "pk")


def paint_stock(*, car_model: CarModel) -> dict[tuple[int, int], int]:
    """(store id, paint id) → how many of the model's cars there may be promised to a booking."""
    rows = (
        vehicle_list_promisable()  # the same rule as allocation and the catalogue's availability
        .filter(car_model=car_model)
        .order_by()
        .values("store_id", "paint_id")
        .annotate(n=Count("pk"))
    )
    return {(row["store_id"], row["paint_id"]): row["n"] for row in rows}


@dataclass(frozen=True)
class PaintAlternatives:
    """Where else to look when a store has no car of the chosen paint: the store's other paints,
    and the other stores with the chosen paint."""

    paints_here: list[Paint]
    stores_with_paint: list[Store]


def paint_alternatives(*, car_model: CarModel, store: Store, paint: Paint) -> PaintAlternatives:
    stock = paint_stock(car_model=car_model)
    paint_ids = {p for (s, p), n in stock.items() if s == store.pk and n}
    store_ids = {s for (s, p), n in stock.items() if p == paint.pk and n}
    return PaintAlternatives(
        paints_here=list(car_model.paints.filter(pk__in=paint_ids).order_by("pk")),
        stores_with_paint=list(Store.objects.filter(pk__in=store_ids).order_by("name")),
    )


def vehicle_free_ids(*, vehicle_ids: list[int], starts_at: datetime, ends_at: datetime) -> list[int]:
    """Those of ``vehicle_ids`` with no unreleased hold overlapping [starts_at, ends_at), in order."""
    taken = set(
        VehicleHold.objects.filter(
            vehicle_id__in=vehicle_ids, released_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).values_list("vehicle_id", flat=True)
    )
    return [pk for pk in vehicle_ids if pk not in taken]


def slot_list(
    *, store: Store, car_model: CarModel, paint: Paint | None, day: date, now: datetime | None = None
) -> list[Slot]:
    """The bookable windows of ``day`` with their capacity, bookings and free cars.

    A fixed number of queries whatever the number of windows: the holds of every candidate car
    over the whole day are read once and matched in Python.
    """
    now = now or timezone.now()
    starts = [s for s in store_window_starts(store=store, day=day) if _window_open_for_booking(s, now)]
    if not starts:
        return []
    capacity = store_window_capacity(store=store)
    booked = dict(
        PickupWindow.objects.filter(store=store, starts_at__in=starts).values_list("starts_at", "booked")
    )
    vehicle_ids = list(
        vehicle_candidates(store=store, car_model=car_model, paint=paint).values_list("pk", flat=True)
    )
    first, _ = hold_period(slot_start=starts[0])
    _, last = hold_period(slot_start=starts[-1])
    holds = list(
        VehicleHold.objects.filter(
            vehicle_id__in=vehicle_ids, released_at__isnull=True, starts_at__lt=last, ends_at__gt=first
        ).values_list("vehicle_id", "starts_at", "ends_at")
    )
    slots = []
    for start in starts:
        h_start, h_end = hold_period(slot_start=start)
        taken = {v for v, s, e in holds if s < h_end and e > h_start}
        slots.append(
            Slot(
                starts_at=start,
                ends_at=start + slot_length(),
                capacity=capacity,
                booked=booked.get(start, 0),
                cars_free=len([v for v in vehicle_ids if v not in taken]),
            )
        )
    return slots


def testdrive_list_for_member(*, member: Member) -> QuerySet[TestDrive]:
    return TestDrive.objects.filter(member=member).select_related("car_model__brand", "paint", "store")


def testdrive_get_for_member(*, member: Member, pk: int) -> TestDrive:
    """The member's own booking, or ``Http404``: another member's booking is indistinguishable from
    none."""
    return get_object_or_404(testdrive_list_for_member(member=member), pk=pk)


def testdrive_active_for_member(*, member: Member) -> TestDrive | None:
    """The member's booking that is not finished yet (at most one: the one-active-drive rule)."""
    return testdrive_list_for_member(member=member).filter(state__in=ACTIVE).order_by("-pk").first()


def testdrive_timeline(*, test_drive: TestDrive) -> list[dict[str, Any]]:
    """Every transition of the booking, oldest first: when, from, to, who (a user, or None for the
    kiosk, the tower or a sweep) and why."""
    logs = StateLog.objects.for_(test_drive).select_related("by").order_by("timestamp", "pk")
    return [
        {
            "at": log.timestamp,
            "from": log.source_state,
            "to": log.state,
            "transition": log.transition,
            "to_label": State(log.state).label,
            "by": log.by,
            "description": log.description or "",
        }
        for log in logs
    ]


@dataclass(frozen=True)
class JourneyEvent:
    """One row of the member's timeline: ``event`` is "booked", "paid", "extended", "swap_booked"
    or the state entered."""

    at: datetime
    event: str
    label: str

    @property
    def to(self) -> str | None:
        """The state entered, for a state change; None for the booking and payments."""
        return self.event if self.event in State.values else None


# Face-check retries go checked_in → verifying → checked_in → …: each state is told once, when
# first reached. The fee is told when it was paid; buying is told by "Purchased".
_PAID_PURPOSES = [PaymentPurpose.TEST_DRIVE_FEE, PaymentPurpose.LATE_FEE]


def testdrive_journey(*, test_drive: TestDrive) -> list[JourneyEvent]:
    """The member's timeline, oldest first, one row per meaningful event: booked, each fee paid,
    each state the first time it was reached. The portal and the API show this same list; staff
    see every transition (``testdrive_timeline``)."""
    events = [JourneyEvent(at=test_drive.created_at, event="booked", label=str(_BOOKED))]
    paid = test_drive.payments.filter(
        purpose__in=_PAID_PURPOSES, status=PaymentStatus.PAID, settled_at__isnull=False
    ).order_by("settled_at")
    events += [
        JourneyEvent(at=p.settled_at, event="paid", label=str(_PAID_LABELS[PaymentPurpose(p.purpose)]))
        for p in paid
        if p.settled_at is not None  # the filter above; said again for the type checker
    ]
    events += _changes_journey(test_drive)
    if test_drive.arriving_at is not None:
        events.append(JourneyEvent(at=test_drive.arriving_at, event="arriving", label=str(_ARRIVING)))
    seen: set[str] = set()
    for step in testdrive_timeline(test_drive=test_drive):
        if step["to"] in seen:
            continue
        seen.add(step["to"])
        events.append(JourneyEvent(at=step["at"], event=step["to"], label=str(step["to_label"])))
    return sorted(events, key=lambda e: e.at)


_ARRIVING = gettext_lazy("Said they were at the store")
_EXTENDED = gettext_lazy("Extended: due back at %(due)s")
_SWAP_BOOKED = gettext_lazy("Swap booked: %(car)s")


def _changes_journey(test_drive: TestDrive) -> list[JourneyEvent]:
    """The drive's extensions that stand and its swap (docs/EXTEND-AND-SWAP.md): two queries."""
    extended = [
        JourneyEvent(
            at=e.created_at, event="extended", label=str(_EXTENDED % {"due": moment_format(e.due_after)})
        )
        for e in test_drive.extensions.filter(status=Extension.Status.DONE)
    ]
    swaps = [
        JourneyEvent(
            at=s.created_at, event="swap_booked", label=str(_SWAP_BOOKED % {"car": s.car_model.display_name})
        )
        for s in test_drive.swaps.exclude(state=State.CANCELLED).select_related("car_model")
    ]
    return extended + swaps


def testdrive_fee_pending(*, test_drive: TestDrive) -> Payment | None:
    """The booking's unpaid fee, if it has one. Uses ``payments`` when prefetched (a list of
    bookings asks once for all of them), else one query."""
    return next(
        (
            payment
            for payment in test_drive.payments.all()
            if payment.purpose == PaymentPurpose.TEST_DRIVE_FEE and payment.status == PaymentStatus.PENDING
        ),
        None,
    )


def testdrive_overdue_q(*, now: datetime) -> Q:
    """On the road past the due time and the grace period: the overdue sweep's selection."""
    grace = timedelta(minutes=settings.TESTDRIVE_GRACE_MINUTES)
    return Q(state=State.ON_DRIVE, due_back_at__lte=now - grace)


def notification_list_for_member(*, member: Member, limit: int = 20) -> list[tuple[Notification, str]]:
    """The member's newest messages with their text in the current language (the in-app list)."""
    notes = (
        Notification.objects.filter(member=member)
        .select_related("test_drive__car_model__brand", "test_drive__member", "test_drive__store")
        .order_by("-created_at")[:limit]
    )
    language = translation.get_language()
    return [(note, notification_text(note, language=language)[1]) for note in notes]


@dataclass(frozen=True)
class PickupTimes:
    """Seconds per booking, read from the transition log: what the tower benchmark assumes
    (check-in → verified, the early retrieve's head start) and what it predicts (verified →
    ready, the customer's wait for the car; 0 when the car was already in the bay).

    The delivery-bay benchmark's two other assumptions (``bench/tower_bays.py``): the drive-out,
    from the later of verified and ready to the car leaving its bay (``departed_at``), and the
    drive-in, from the return recorded to the member leaving the bay (``bay_left_at``; a return
    where the tower reports no gate counts as leaving at once and is left out)."""

    check_in_to_verified_face: list[float]
    check_in_to_verified_staff: list[float]
    verified_to_ready: list[float]
    drive_out: list[float] = field(default_factory=list)
    drive_in: list[float] = field(default_factory=list)


def pickup_times(*, since: datetime, store: Store | None = None) -> PickupTimes:
    """Pickups checked in at ``since`` or later (at ``store``, or every store), each booking's
    first check-in, first verification after it and first ready after that."""
    wanted = [State.CHECKED_IN, State.VERIFIED, State.READY]
    logs = StateLog.objects.filter(
        content_type__app_label="testdrives",
        content_type__model="testdrive",
        state__in=wanted,
        timestamp__gte=since,
    )
    if store is not None:
        logs = logs.filter(object_id__in=TestDrive.objects.filter(store=store).values("pk"))
    first: dict[int, dict[str, datetime]] = {}
    rows = logs.order_by("timestamp", "pk").values_list("object_id", "state", "timestamp")
    for object_id, state, at in rows:
        seen = first.setdefault(int(object_id), {})
        before = {State.VERIFIED: State.CHECKED_IN, State.READY: State.VERIFIED}.get(state)
        if state not in seen and (before is None or before in seen):
            seen[state] = at
    bookings = TestDrive.objects.filter(pk__in=list(first)).values_list(
        "pk", "identity_method", "departed_at"
    )
    methods = {pk: method for pk, method, _ in bookings}
    departed = {pk: at for pk, _, at in bookings if at is not None}
    face: list[float] = []
    staff: list[float] = []
    waits: list[float] = []
    drive_out: list[float] = []
    for pk, seen in first.items():
        if State.CHECKED_IN in seen and State.VERIFIED in seen:
            span = (seen[State.VERIFIED] - seen[State.CHECKED_IN]).total_seconds()
            (staff if methods.get(pk) == "staff" else face).append(span)
        if State.VERIFIED in seen and State.READY in seen:
            waits.append((seen[State.READY] - seen[State.VERIFIED]).total_seconds())
            if pk in departed:
                drive_out.append(
                    (departed[pk] - max(seen[State.VERIFIED], seen[State.READY])).total_seconds()
                )
    return PickupTimes(face, staff, waits, drive_out, _drive_in_times(since=since, store=store))


def _drive_in_times(*, since: datetime, store: Store | None) -> list[float]:
    returns = (
        TestDrive.objects.filter(returned_at__gte=since, bay_left_at__isnull=False)
        .exclude(bay_left_at=F("returned_at"))  # no gate reported: counted as left at once
        .values_list("returned_at", "bay_left_at")
    )
    if store is not None:
        returns = returns.filter(store=store)
    return [(left - returned).total_seconds() for returned, left in returns]


def tower_arrivals_expected(*, tower: Tower, now: datetime) -> list[int]:
    """The cars (vehicle pks) of members whose car is in ``tower`` who announced their arrival
    and have not checked in, within ``TESTDRIVE_ARRIVAL_VALID_MINUTES``
    (``testdrives.services.arrival``): the tower keeps a lift free for each
    (``settings.TOWER_ARRIVALS_EXPECTED``)."""
    return list(
        TestDrive.objects.filter(
            state=State.SCHEDULED,
            arriving_at__gt=now - timedelta(minutes=settings.TESTDRIVE_ARRIVAL_VALID_MINUTES),
            vehicle__bay__tower=tower,
        ).values_list("vehicle_id", flat=True)
    )
