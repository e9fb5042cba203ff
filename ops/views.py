"""The operations console at /ops/: staff with the console permission only; actions need the
operator's permission, overrides the manager's. Every view is thin: it checks, then calls
``ops.services``."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from fleet.models import Store
from members.models import Member
from ops import services
from ops.glance import stores_glance
from ops.models import AuditEntry
from ops.pages import booking_page, member_page, orders_open
from ops.queues import need_get, needs_open
from testdrives.models import IdCheck, IdCheckStatus, TestDrive
from testdrives.services.idcheck import PICTURES, idcheck_picture
from vendingstore.api_errors import ApplicationError
from vendingstore.htmx import render_varying, wants_fragment

POLL_SECONDS = 3


def perm_required(perm: str) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Logged in as staff with ``ops.<perm>``; anyone else gets 403 (a visitor is sent to log in)."""

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        @login_required(login_url="admin:login")
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
            if not (request.user.is_staff and request.user.has_perm(f"ops.{perm}")):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def _stores(request: HttpRequest) -> list[Store]:
    chosen = request.GET.getlist("store")
    stores = Store.objects.order_by("name")
    return list(stores.filter(slug__in=chosen) if chosen else stores)


@never_cache
@perm_required("use_console")
def console(request: HttpRequest) -> HttpResponse:
    stores = _stores(request)
    context = _board(request, stores)
    context["all_stores"] = Store.objects.order_by("name")
    context["chosen"] = request.GET.getlist("store")
    context["poll_seconds"] = POLL_SECONDS
    template = "ops/_board.html" if wants_fragment(request) else "ops/console.html"
    return render_varying(request, template, context)


def _board(request: HttpRequest, stores: list[Store]) -> dict[str, object]:
    return {
        "needs": needs_open(stores=stores),
        "glance": stores_glance(stores=stores),
        "recent": AuditEntry.objects.select_related("by", "test_drive")[:10],
        "orders": orders_open(stores=stores),
        "can_act": request.user.has_perm("ops.act_on_queues"),
        "can_override": request.user.has_perm("ops.override"),
        "query": request.GET.urlencode(),
    }


@never_cache
@perm_required("act_on_queues")
def id_check(request: HttpRequest, pk: int) -> HttpResponse:
    """The waiting check beside the member's stored details; approve or refuse with a reason."""
    check = get_object_or_404(
        IdCheck.objects.select_related("test_drive__member", "test_drive__store"), pk=pk
    )
    return render(
        request,
        "ops/id_check.html",
        {"check": check, "member": check.test_drive.member, "pictures": PICTURES, "td": check.test_drive},
    )


@never_cache
@perm_required("act_on_queues")
def id_check_picture(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """One picture, decrypted for the operator; gone (404) once the check is decided. Never cached."""
    check = get_object_or_404(IdCheck, pk=pk, status=IdCheckStatus.WAITING)
    try:
        data = idcheck_picture(id_check=check, which=which)
    except LookupError:
        return HttpResponse(status=404)
    response = HttpResponse(data, content_type="image/jpeg" if data[:2] == b"\xff\xd8" else "image/png")
    response["Cache-Control"] = "no-store, private"
    return response


def _need_or_message(request: HttpRequest, kind: str, key: str) -> object:
    need = need_get(kind=kind, key=key)
    if need is None:
        messages.info(request, _("That item is no longer waiting."))
    return need


@require_POST
@perm_required("act_on_queues")
def claim(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    need = _need_or_message(request, kind, key)
    if need is not None:
        try:
            if request.POST.get("release"):
                services.queue_item_release(need=need, by=request.user)  # type: ignore[arg-type]
            else:
                services.queue_item_claim(need=need, by=request.user)  # type: ignore[arg-type]
        except ApplicationError as error:
            messages.error(request, str(error.message))
    return _back(request)


ACTIONS: dict[str, tuple[str, Callable[..., object]]] = {
    # action: (permission, service taking the POSTed reason)
    "approve": (
        "act_on_queues",
        lambda pk, by, reason: services.ops_idcheck_approve(id_check=pk, by=by, reason=reason),
    ),
    "refuse": (
        "act_on_queues",
        lambda pk, by, reason: services.ops_idcheck_refuse(id_check=pk, by=by, reason=reason),
    ),
    "review": (
        "act_on_queues",
        lambda pk, by, reason: services.ops_return_review(test_drive=pk, by=by, notes=reason),
    ),
    "unlock": ("override", lambda pk, by, reason: services.ops_unlock(test_drive=pk, by=by, reason=reason)),
    "retry": (
        "override",
        lambda pk, by, reason: services.ops_dispatch_retry(test_drive=pk, by=by, reason=reason),
    ),
    # cars overdue
    "remind": (
        "act_on_queues",
        lambda pk, by, why: services.ops_overdue_remind(test_drive=pk, by=by, reason=why),
    ),
    "report": (
        "act_on_queues",
        lambda pk, by, why: services.ops_overdue_report(test_drive=pk, by=by, reason=why),
    ),
    "late_fee": (
        "override",
        lambda pk, by, why: services.ops_late_fee_charge(test_drive=pk, by=by, reason=why),
    ),
    # payments that failed
    "charge_again": (
        "act_on_queues",
        lambda pk, by, why: services.ops_payment_retry(payment=pk, by=by, reason=why),
    ),
    "waive": ("override", lambda pk, by, why: services.ops_payment_waive(payment=pk, by=by, reason=why)),
    # towers
    "acknowledge": (
        "act_on_queues",
        lambda pk, by, why: services.ops_incident_acknowledge(incident=pk, by=by, reason=why),
    ),
    "resolve": (
        "act_on_queues",
        lambda pk, by, why: services.ops_incident_resolve(incident=pk, by=by, reason=why),
    ),
    "resume": ("override", lambda pk, by, why: services.ops_tower_resume(tower=pk, by=by, reason=why)),
    # check-ins that walked away
    "release": (
        "act_on_queues",
        lambda pk, by, why: services.ops_walked_away_release(test_drive=pk, by=by, reason=why),
    ),
    # a bay's gate that never closed after a return
    "bay_clear": (
        "act_on_queues",
        lambda pk, by, why: services.ops_bay_clear(test_drive=pk, by=by, reason=why),
    ),
}


@require_POST
@perm_required("use_console")
def act(request: HttpRequest, action: str, pk: int) -> HttpResponse:
    if action not in ACTIONS:
        return HttpResponse(status=404)
    perm, service = ACTIONS[action]
    if not request.user.has_perm(f"ops.{perm}"):
        raise PermissionDenied
    try:
        service(pk, request.user, request.POST.get("reason", ""))
    except ObjectDoesNotExist:
        return HttpResponse(status=404)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return _back(request)
    messages.success(request, _("Done."))
    return redirect("ops:console") if action in ("approve", "refuse") else _back(request)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(request.POST.get("next") or "ops:console")


def _page_context(request: HttpRequest) -> dict[str, object]:
    return {
        "can_act": request.user.has_perm("ops.act_on_queues"),
        "can_override": request.user.has_perm("ops.override"),
    }


@never_cache
@perm_required("use_console")
def booking(request: HttpRequest, pk: int) -> HttpResponse:
    """One booking for an operator: readings, photos, face attempts (numbers), ID checks, tower
    commands, payments and the timeline with the console's claims and actions. Read-only."""
    td = get_object_or_404(
        TestDrive.objects.select_related(
            "member__user", "store", "vehicle", "car_model__brand", "delivery_bay"
        ),
        pk=pk,
    )
    return render(
        request, "ops/booking.html", {"page": booking_page(test_drive=td), **_page_context(request)}
    )


@never_cache
@perm_required("use_console")
def member(request: HttpRequest, pk: int) -> HttpResponse:
    """One member for an operator: drives, consent and face status, open fees, audit trail."""
    row = get_object_or_404(Member.objects.select_related("user"), pk=pk)
    return render(request, "ops/member.html", {"page": member_page(member=row), **_page_context(request)})
