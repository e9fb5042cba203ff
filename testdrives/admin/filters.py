"""List filters of the bookings admin whose choices are fixed: showing them reads no rows.

Django's ``date_hierarchy`` and a filter on a plain field list their choices with a DISTINCT
over the whole table on every view of the list; with years of bookings that costs more than the
page itself. These offer fixed periods and the known identity methods instead.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

IDENTITY_METHODS: list[tuple[str, "StrOrPromise"]] = [
    ("face", _("Face check")),
    ("staff", _("Staff, by hand")),
]


def _periods(now: datetime) -> dict[str, tuple[datetime, datetime]]:
    """Each period as [start, end) in the current time zone."""
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)
    year = month.replace(month=1)
    return {
        "today": (today, today + timedelta(days=1)),
        "tomorrow": (today + timedelta(days=1), today + timedelta(days=2)),
        "next_7_days": (today, today + timedelta(days=7)),
        "past_7_days": (today - timedelta(days=7), today + timedelta(days=1)),
        "this_month": (month, next_month),
        "last_month": (last_month, month),
        "this_year": (year, year.replace(year=year.year + 1)),
        "last_year": (year.replace(year=year.year - 1), year),
    }


class SlotPeriodFilter(admin.SimpleListFilter):
    title = _("pickup window")
    parameter_name = "slot"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [
            ("today", _("Today")),
            ("tomorrow", _("Tomorrow")),
            ("next_7_days", _("Next 7 days")),
            ("past_7_days", _("Past 7 days")),
            ("this_month", _("This month")),
            ("last_month", _("Last month")),
            ("this_year", _("This year")),
            ("last_year", _("Last year")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        period = _periods(timezone.now()).get(self.value() or "")
        if period is None:
            return queryset
        return queryset.filter(slot_start__gte=period[0], slot_start__lt=period[1])


class IdentityMethodFilter(admin.SimpleListFilter):
    title = _("identity checked by")
    parameter_name = "identity_method"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [*IDENTITY_METHODS, ("none", _("Not checked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "none":
            return queryset.filter(identity_method="")
        if self.value() in dict(IDENTITY_METHODS):
            return queryset.filter(identity_method=self.value())
        return queryset
