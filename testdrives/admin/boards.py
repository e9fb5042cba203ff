"""Read models for the staff boards: cars overdue now, and each store's day.

Each board is a fixed number of queries whatever its length.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from fleet.models import Store
from testdrives.models import State, TestDrive
from testdrives.selectors import testdrive_overdue_q
from testdrives.services.lifecycle import late_fee_for

RELATED = ["member__user", "store", "car_model__brand", "vehicle"]


@dataclass(frozen=True)
class OverdueRow:
    test_drive: TestDrive
    hours_late: float
    late_fee_cny: int


def overdue_board(*, now: datetime) -> list[OverdueRow]:
    """Cars past their due time and grace period, longest overdue first, with the late fee they
    would pay if returned ``now``. Includes those the overdue sweep has not reached yet."""
    drives = (
        TestDrive.objects.filter(Q(state=State.OVERDUE) | testdrive_overdue_q(now=now))
        .select_related(*RELATED)
        .order_by("due_back_at", "pk")
    )
    return [
        OverdueRow(
            test_drive=td,
            hours_late=(now - td.due_back_at).total_seconds() / 3600,
            late_fee_cny=late_fee_for(test_drive=td, returned_at=now),
        )
        for td in drives
    ]


@dataclass
class StoreDay:
    store: Store
    day_start: datetime
    pickups: list[TestDrive] = field(default_factory=list)
    due_back: list[TestDrive] = field(default_factory=list)


def _local_day(store: Store, now: datetime) -> tuple[datetime, datetime]:
    tz = ZoneInfo(store.time_zone)
    start = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def store_days(*, now: datetime) -> list[StoreDay]:
    """For every store, its own calendar day around ``now``: pickups booked in it, and cars out
    on a drive that are due back in it. Three queries for all stores together."""
    days: dict[int, StoreDay] = {}
    slot_q, due_q = Q(), Q()
    for store in Store.objects.order_by("name"):
        start, end = _local_day(store, now)
        days[store.pk] = StoreDay(store, start)
        slot_q |= Q(store_id=store.pk, slot_start__gte=start, slot_start__lt=end)
        due_q |= Q(store_id=store.pk, due_back_at__gte=start, due_back_at__lt=end)
    if not days:
        return []
    for td in _board_rows(slot_q).order_by("slot_start", "pk"):
        days[td.store_id].pickups.append(td)
    for td in _board_rows(due_q & Q(state__in=[State.ON_DRIVE, State.OVERDUE])).order_by("due_back_at"):
        days[td.store_id].due_back.append(td)
    return list(days.values())


def _board_rows(q: Q) -> QuerySet[TestDrive]:
    return TestDrive.objects.filter(q).select_related(*RELATED)
