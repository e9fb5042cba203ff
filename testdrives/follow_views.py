"""Portal pages that follow a booking after it is made: the live follow page, its calendar file,
and the purchase page (what happens after buying, and where the order stands).

Owner-only like every booking page: another member's booking is a 404.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Member
from members.views import member_required
from testdrives.follow import testdrive_follow, testdrive_followed_get_for_member
from testdrives.ics import testdrive_calendar
from testdrives.purchase_steps import purchase_order_for_member, purchase_order_progress
from testdrives.qr import qr_svg
from testdrives.services.arrival import testdrive_announce_arrival
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import render_varying, wants_fragment


@member_required
def follow(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """Where the booking stands; htmx asks again for the status panel while it can change."""
    td = testdrive_followed_get_for_member(member=member, pk=pk)
    status = testdrive_follow(test_drive=td, now=timezone.now())
    context = {
        "td": td,
        "status": status,
        "pickup_qr": qr_svg(status.pickup_code) if status.pickup_code else None,
        "return_qr": qr_svg(status.return_code) if status.return_code else None,
    }
    template = "testdrives/_follow_status.html" if wants_fragment(request) else "testdrives/follow.html"
    return render_varying(request, template, context)


@require_POST
@member_required
def arriving(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """ "I'm at the store": the tower keeps a lift free until the member checks in."""
    td = testdrive_followed_get_for_member(member=member, pk=pk)
    try:
        testdrive_announce_arrival(test_drive=td, now=timezone.now())
        messages.success(request, _("Thanks! Check in at the kiosk with your pickup code."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("testdrives:follow", pk=td.pk)


@member_required
def calendar(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """The pickup and the return as an .ics file, in the page's language."""
    td = testdrive_followed_get_for_member(member=member, pk=pk)
    response = HttpResponse(
        testdrive_calendar(test_drive=td, now=timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="test-drive-{td.pickup_code}.ics"'
    # The codes are in it: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@member_required
def purchase(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """After buying: the order's steps (contract, invoice, registration and plates, handover),
    each done, current or to come, with what happens in it."""
    order = purchase_order_for_member(member=member, test_drive_id=pk)
    if order is None:
        return redirect("testdrives:detail", pk=pk)
    return render_varying(
        request,
        "testdrives/purchase.html",
        {"order": order, "td": order.test_drive, "progress": purchase_order_progress(order=order)},
    )
