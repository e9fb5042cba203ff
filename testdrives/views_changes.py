"""Portal pages for changing a drive under way: keep the car longer, or swap it for another model.

Thin: each page reads what is possible from the services and posts to them; refusals come back as
messages in the member's language with the reason (e.g. when the car's next booking starts).
"""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from fleet.models import Paint
from members.models import Member
from members.views import member_required
from testdrives.errors import BookingRefused
from testdrives.models import TestDrive
from testdrives.selectors import testdrive_get_for_member
from testdrives.services.extend import testdrive_extend, testdrive_extend_options
from testdrives.services.swap import testdrive_swap, testdrive_swap_choices, testdrive_swap_pending
from vendingstore.api_errors import ApplicationError
from vendingstore.formatting import moment_format


def drive_change_context(*, test_drive: TestDrive) -> dict[str, object]:
    """What the drive's page shows about extending and swapping."""
    now = timezone.now()
    return {
        "extend_options": testdrive_extend_options(test_drive=test_drive, now=now),
        "swap": testdrive_swap_pending(test_drive=test_drive),
        "swapped_from": test_drive.swap_of,
    }


@member_required
def extend(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """Pick how many hours to add (each with its new due time and fee); POST extends, with a
    one-time request key so a double click extends once."""
    td = testdrive_get_for_member(member=member, pk=pk)
    if request.method == "POST":
        try:
            hours = int(request.POST.get("hours", ""))
            request_key = uuid.UUID(request.POST.get("request_key", ""))
        except ValueError:
            messages.error(request, _("Pick how many hours to add."))
            return redirect("testdrives:extend", pk=td.pk)
        try:
            extension = testdrive_extend(test_drive=td, member=member, hours=hours, request_key=request_key)
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect("testdrives:extend", pk=td.pk)
        messages.success(
            request,
            _("Extended: the car is now due back at %(due)s.") % {"due": moment_format(extension.due_after)},
        )
        return redirect("testdrives:detail", pk=td.pk)
    options = testdrive_extend_options(test_drive=td, now=timezone.now())
    context = {"td": td, "options": options, "request_key": uuid.uuid4()}
    return render(request, "testdrives/extend.html", context)


@member_required
def swap(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """The other models with a free car at the store until the due time; POST books the swap."""
    td = testdrive_get_for_member(member=member, pk=pk)
    if request.method == "POST":
        paint = Paint.objects.select_related("car_model").filter(pk=request.POST.get("paint") or 0).first()
        if paint is None:
            messages.error(request, _("Pick the car you want instead."))
            return redirect("testdrives:swap", pk=td.pk)
        try:
            new = testdrive_swap(test_drive=td, member=member, car_model=paint.car_model, paint=paint)
        except BookingRefused as refused:
            for reason in refused.extra["reasons"]:
                messages.error(request, reason["reason"])
            return redirect("testdrives:swap", pk=td.pk)
        except ApplicationError as error:
            messages.error(request, str(error.message))
            return redirect("testdrives:swap", pk=td.pk)
        messages.success(
            request,
            _(
                "Swap booked. Bring this car back to the kiosk, enter its return code, then pick up the new one."
            ),
        )
        return redirect("testdrives:detail", pk=new.pk)
    context = {
        "td": td,
        "choices": testdrive_swap_choices(test_drive=td, now=timezone.now()),
        "pending": testdrive_swap_pending(test_drive=td),
    }
    return render(request, "testdrives/swap.html", context)
