"""Portal pages for test drives: book, my drives, one drive (timeline, code, cancel, pay, buy).

Views read the request, call a service or selector, and pick a template. Refusals come back as
messages in the member's language; another member's booking is a 404, like one that does not exist.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from biometrics.selectors import face_template_exists
from fleet.models import CarModel, Paint, Store
from members.forms import ModelChoiceForm
from members.models import Member
from members.views import member_required
from testdrives.eligibility import (
    BookingStanding,
    member_booking_standing,
    member_eligibility_for,
)
from testdrives.errors import BookingRefused
from testdrives.forms import PurchaseForm, SlotSearchForm
from testdrives.models import CarSide, State, TestDrive
from testdrives.qr import qr_svg
from testdrives.selectors import (
    notification_list_for_member,
    paint_alternatives,
    paint_stock,
    slot_list,
    store_localdate,
    testdrive_active_for_member,
    testdrive_fee_pending,
    testdrive_get_for_member,
    testdrive_journey,
    testdrive_list_for_member,
)
from testdrives.services.booking import testdrive_book, testdrive_cancel, testdrive_pay_fee
from testdrives.services.purchase import (
    purchase_price,
    testdrive_buy_until,
    testdrive_buyable,
    testdrive_purchase,
)
from testdrives.services.reschedule import testdrive_reschedule
from testdrives.services.return_photos import return_view
from testdrives.services.returns import pickup_photos_open
from testdrives.vehicle_record import vehicle_record_get
from testdrives.views_changes import drive_change_context
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import HtmxHttpRequest, render_varying, wants_fragment


@member_required
def membership(request: HttpRequest, member: Member) -> HttpResponse:
    """The member's tier, credit, quotas and every rule, each unmet one linked to what fixes it;
    and, for a chosen model, whether they may book it."""
    standing = member_booking_standing(member=member, at=timezone.now())
    model_form = ModelChoiceForm(request.GET or None)
    eligibility = None
    if model_form.is_valid():
        eligibility = member_eligibility_for(standing=standing, car_model=model_form.cleaned_data["model"])
    context = {
        "member": member,
        "standing": standing,
        "report": standing.report,
        "quota": standing.quota,
        "model_form": model_form,
        "eligibility": eligibility,
        "fixes": _fixes(standing, member, credit="#credit"),
    }
    return render(request, "members/membership.html", context)


def _fixes(standing: BookingStanding, member: Member, *, credit: str) -> dict[str, tuple[str, str]]:
    """Rule code → (link, label) of the page where the member fixes an unmet item themselves.

    Age, the blacklist and the rolling quota have none: time or the store changes them. The one
    active drive links to that booking, where it can be cancelled, or followed to its end.
    """
    face_url = reverse("biometrics:enrol" if standing.face_consent else "biometrics:consent")
    fixes = {
        "credit_score": (credit, _("Check your credit")),
        "driving_licence": (reverse("members:account"), _("Update your driving licence")),
        "face_pickup": (face_url, _("Set up face pickup")),
    }
    active = testdrive_active_for_member(member=member)
    if active is not None:
        fixes["quota_one_active"] = (
            reverse("testdrives:detail", args=[active.pk]),
            _("Your booking in progress"),
        )
    return fixes


@member_required
def book(request: HtmxHttpRequest, member: Member, slug: str) -> HttpResponse:
    """Store → day → paint → pickup time. GET shows the times (htmx swaps only that region);
    POST books one, with a one-time request key so a double click books once."""
    car_model = get_object_or_404(CarModel.objects.select_related("brand"), slug=slug)
    if request.method == "POST":
        return _book_post(request, member, car_model)
    return _book_page(request, member, car_model)


def _book_page(
    request: HttpRequest, member: Member, car_model: CarModel, *, moving: TestDrive | None = None
) -> HttpResponse:
    """The booking page; ``moving``: the booking being rescheduled (its times post there)."""
    form = SlotSearchForm(_slot_query(request, car_model), car_model=car_model)
    data = form.cleaned_data if form.is_valid() else None
    slots = (
        slot_list(store=data["store"], car_model=car_model, paint=data["paint"], day=data["day"])
        if data
        else []
    )
    standing = member_booking_standing(
        member=member, at=timezone.now(), excluding=moving.pk if moving else None
    )
    stock = paint_stock(car_model=car_model)
    no_car_here = data is not None and not stock.get((data["store"].pk, data["paint"].pk))
    context = {
        "car_model": car_model,
        "form": form,
        "slots": slots,
        "search": data,
        "bookable": any(slot.left for slot in slots),
        "alternatives": (
            paint_alternatives(car_model=car_model, store=data["store"], paint=data["paint"])
            if data and no_car_here
            else None
        ),
        "eligibility": member_eligibility_for(standing=standing, car_model=car_model),
        "fixes": _fixes(standing, member, credit=reverse("testdrives:membership") + "#credit"),
        "request_key": uuid.uuid4(),
        "face_enrolled": face_template_exists(member=member),
        "moving": moving,
    }
    if wants_fragment(request):
        return render_varying(request, "testdrives/_slots.html", context)
    return render_varying(request, "testdrives/book.html", context)


def _slot_query(request: HttpRequest, car_model: CarModel) -> dict[str, object]:
    """The asked-for store, paint and day, a missing store or paint filled in with a default that
    has a car: a link from the model page carries only the paint, a first visit nothing. A missing
    day is the store's today (``SlotSearchForm``)."""
    asked = {key: request.GET[key] for key in ("store", "paint", "day") if request.GET.get(key)}
    defaults = _slot_defaults(car_model, store=asked.get("store"), paint=asked.get("paint"))
    return {**defaults, **asked}


def _slot_defaults(car_model: CarModel, *, store: str | None, paint: str | None) -> dict[str, object]:
    """The store and paint with the most cars of the model that could be promised (keeping the one
    the member asked for, if any); the first store and paint when none has a car."""
    stock = paint_stock(car_model=car_model)
    names = dict(Store.objects.filter(pk__in={s for s, _ in stock}).values_list("pk", "name"))
    pairs = sorted(
        (
            pair
            for pair, n in stock.items()
            if n and (store is None or str(pair[0]) == store) and (paint is None or str(pair[1]) == paint)
        ),
        key=lambda pair: (-stock[pair], names.get(pair[0], ""), pair[1]),
    )
    store_pk: int | None
    paint_pk: int | None
    if pairs:
        store_pk, paint_pk = pairs[0]
    else:
        first_store = Store.objects.filter(vehicles__car_model=car_model).order_by("name").first()
        first_paint = car_model.paints.order_by("pk").first()
        store_pk = first_store.pk if first_store else None
        paint_pk = first_paint.pk if first_paint else None
    return {"store": store_pk, "paint": paint_pk}


def _book_post(request: HttpRequest, member: Member, car_model: CarModel) -> HttpResponse:
    try:
        store = Store.objects.get(pk=request.POST.get("store", ""))
        paint = Paint.objects.get(pk=request.POST.get("paint", ""), car_model=car_model)
        slot_start = datetime.fromisoformat(request.POST.get("slot", ""))
        request_key = uuid.UUID(request.POST.get("request_key", ""))
    except (Store.DoesNotExist, Paint.DoesNotExist, ValueError, TypeError):
        messages.error(request, _("Pick a store, a paint and a pickup time from the list."))
        return redirect("testdrives:book", slug=car_model.slug)
    try:
        td = testdrive_book(
            member=member,
            car_model=car_model,
            paint=paint,
            store=store,
            slot_start=slot_start,
            request_key=request_key,
        )
    except BookingRefused as refused:
        for reason in refused.extra["reasons"]:
            messages.error(request, reason["reason"])
        return redirect("testdrives:book", slug=car_model.slug)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        day = store_localdate(store=store, at=slot_start)
        query = f"?store={store.pk}&paint={paint.pk}&day={day.isoformat()}"
        return redirect(f"{request.path}{query}")
    if td.fee_cny and testdrive_fee_pending(test_drive=td):
        messages.info(request, _("Almost done: pay the test-drive fee to confirm your booking."))
    else:
        messages.success(request, _("Booked! Show your pickup code at the kiosk."))
    return redirect("testdrives:detail", pk=td.pk)


@member_required
def reschedule(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    """Another window, day, store or paint for a booking not yet checked in: the booking page's
    times, posting here. The fee and the pickup code stay."""
    td = testdrive_get_for_member(member=member, pk=pk)
    if td.state != State.SCHEDULED:
        messages.error(request, _("Only a booking not yet checked in can be moved."))
        return redirect("testdrives:detail", pk=td.pk)
    if request.method != "POST":
        return _book_page(request, member, td.car_model, moving=td)
    try:
        store = Store.objects.get(pk=request.POST.get("store", ""))
        paint = Paint.objects.get(pk=request.POST.get("paint", ""), car_model=td.car_model)
        slot_start = datetime.fromisoformat(request.POST.get("slot", ""))
    except (Store.DoesNotExist, Paint.DoesNotExist, ValueError, TypeError):
        messages.error(request, _("Pick a store, a paint and a pickup time from the list."))
        return redirect("testdrives:reschedule", pk=td.pk)
    try:
        testdrive_reschedule(test_drive=td, member=member, store=store, paint=paint, slot_start=slot_start)
    except BookingRefused as refused:
        for reason in refused.extra["reasons"]:
            messages.error(request, reason["reason"])
        return redirect("testdrives:reschedule", pk=td.pk)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("testdrives:reschedule", pk=td.pk)
    messages.success(request, _("Your booking is moved. Your pickup code stays the same."))
    return redirect("testdrives:detail", pk=td.pk)


@member_required
def drive_list(request: HttpRequest, member: Member) -> HttpResponse:
    drives = testdrive_list_for_member(member=member)
    notes = notification_list_for_member(member=member)
    return render(request, "testdrives/list.html", {"drives": drives, "notifications": notes})


@member_required
def detail(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    context = {
        "td": td,
        "timeline": testdrive_journey(test_drive=td),
        "fee_pending": testdrive_fee_pending(test_drive=td),
        "qr": qr_svg(td.pickup_code) if td.state == State.SCHEDULED else None,
        "return_qr": qr_svg(td.return_code)
        if td.return_code and td.state in (State.ON_DRIVE, State.OVERDUE)
        else None,
        "can_cancel": td.state == State.SCHEDULED,
        "can_buy": testdrive_buyable(test_drive=td, at=timezone.now()),
        "buy_until": testdrive_buy_until(test_drive=td),
        "now": timezone.now(),
        **drive_change_context(test_drive=td),
        "returned": return_view(test_drive=td) if td.departed_at else None,
        "side_choices": CarSide.choices,
        "pickup_open": pickup_photos_open(test_drive=td),
        "pickup_photos": list(td.pickup_photos.all()) if td.departed_at else [],
    }
    return render(request, "testdrives/detail.html", context)


@require_POST
@member_required
def cancel(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    try:
        testdrive_cancel(test_drive=td, by=member.user)
        messages.success(request, _("Your booking is cancelled and the car released."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("testdrives:detail", pk=td.pk)


@require_POST
@member_required
def pay(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    try:
        testdrive_pay_fee(test_drive=td)
        messages.success(request, _("Paid. Your booking is confirmed."))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("testdrives:detail", pk=td.pk)


@member_required
def buy(request: HttpRequest, member: Member, pk: int) -> HttpResponse:
    td = testdrive_get_for_member(member=member, pk=pk)
    if not testdrive_buyable(test_drive=td, at=timezone.now()) and not hasattr(td, "purchase_order"):
        messages.error(
            request,
            _("This car can be bought during its test drive and for %(days)s days after its return.")
            % {"days": settings.TESTDRIVE_BUY_AFTER_RETURN_DAYS},
        )
        return redirect("testdrives:detail", pk=td.pk)
    form = PurchaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            testdrive_purchase(
                test_drive=td,
                member=member,
                method=form.cleaned_data["method"],
                down_payment_cny=form.cleaned_data.get("down_payment_cny"),
                term_months=form.cleaned_data.get("term_months") or None,
                vin=form.cleaned_data.get("vin") or None,
            )
            messages.success(request, _("Congratulations! The car is yours."))
            return redirect("testdrives:purchase", pk=td.pk)
        except ApplicationError as error:
            form.add_error(None, str(error.message))
    record = vehicle_record_get(vehicle_id=td.vehicle_id)
    if not form.is_bound:
        form.initial["vin"] = record.vehicle.vin
    context = {"td": td, "form": form, "price": purchase_price(test_drive=td), "record": record}
    return render(request, "testdrives/buy.html", context)
