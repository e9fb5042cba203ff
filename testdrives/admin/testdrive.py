"""The booking back office: find a booking, see everything that happened to it, act through
services.

No field of a booking is edited in a form (its state is protected, and every other field
follows from a service), so the change page is read-only for everyone; the buttons under it
post to ``step_view``, which calls one service per button. The overdue board and the day at
each store are custom views linked from the changelist and the app index.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten, unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fleet.models import Vehicle, VehicleHold
from members.admin import ReadOnlyAdmin
from members.models import Member
from testdrives.admin.boards import overdue_board, store_days
from testdrives.admin.filters import IdentityMethodFilter, SlotPeriodFilter
from testdrives.admin.steps import STEPS, Step, steps_for
from testdrives.codes import code_normalize
from testdrives.models import (
    Extension,
    Notification,
    Payment,
    PickupPhoto,
    PurchaseOrder,
    ReturnCharge,
    ReturnPhoto,
    State,
    TestDrive,
)
from testdrives.return_views import photo_response
from testdrives.selectors import testdrive_timeline
from vendingstore.admin import admin_user
from vendingstore.admin_paging import LargeTablePaginator
from vendingstore.api_errors import ApplicationError

STATE_LABELS = dict(State.choices)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    # ``obj`` is the booking the inline sits under (Django passes the parent object to inlines).
    def get_readonly_fields(self, request: HttpRequest, obj: TestDrive | None = None) -> list[str]:
        return flatten(self.fields or [])

    def has_add_permission(self, request: HttpRequest, obj: TestDrive | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TestDrive | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TestDrive | None = None) -> bool:
        return False


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["purpose", "amount_cny", "status", "provider", "reference", "created_at", "settled_at"]
    show_change_link = True


class PurchaseOrderInline(ReadOnlyInline):
    model = PurchaseOrder
    fields = ["price_cny", "method", "down_payment_cny", "financed_cny", "finance_term_months", "created_at"]
    show_change_link = True


def _photo_preview(obj: ReturnPhoto | PickupPhoto, kind: str) -> str:
    """The picture through the admin's own view (``TestDriveAdmin.photo_view``): the files are in
    the private storage, which no URL serves."""
    url = reverse("admin:testdrives_testdrive_photo", args=[obj.test_drive_id, kind, obj.pk])
    return format_html(
        '<a href="{}"><img src="{}" alt="" loading="lazy" style="max-height:120px"></a>', url, url
    )


class ReturnPhotoInline(ReadOnlyInline):
    model = ReturnPhoto
    fields = ["preview", "side", "taken_by_staff", "created_at"]

    @admin.display(description=_("photo"))
    def preview(self, obj: ReturnPhoto) -> str:
        return _photo_preview(obj, "return")


class PickupPhotoInline(ReadOnlyInline):
    """Damage the member reported right after pickup."""

    model = PickupPhoto
    fields = ["preview", "side", "note", "created_at"]

    @admin.display(description=_("photo"))
    def preview(self, obj: PickupPhoto) -> str:
        return _photo_preview(obj, "pickup")


class ExtensionInline(ReadOnlyInline):
    """Each time the member kept the car longer (docs/EXTEND-AND-SWAP.md)."""

    model = Extension
    fields = ["hours", "due_before", "due_after", "fee_cny", "status", "created_at"]


class ReturnChargeInline(ReadOnlyInline):
    """What the review of the return charged (opened from the operations console)."""

    model = ReturnCharge
    fields = ["kind", "amount_cny", "reason", "payment", "created_by", "created_at"]


class NotificationInline(ReadOnlyInline):
    model = Notification
    fields = ["kind", "created_at", "delivered_at", "read_at"]


RELATED = [
    "member__user",
    "store",
    "car_model__brand",
    "paint__car_model__brand",
    "vehicle",
    "delivery_bay__tower",
]


# More matches than this and a search word is too broad to list ids: it becomes a subquery.
SEARCH_IDS_AT_MOST = 500
SEARCH_CANDIDATES_AT_MOST = 2000


def _ids_or_subquery(queryset: QuerySet) -> list[int] | QuerySet:
    ids = list(queryset.values_list("pk", flat=True)[: SEARCH_IDS_AT_MOST + 1])
    return queryset.values("pk") if len(ids) > SEARCH_IDS_AT_MOST else ids


def testdrive_search_q(
    term: str,
    *,
    members: set[int] | None = None,
    users: set[int] | None = None,
    vehicles: set[int] | None = None,
) -> Q:
    """Bookings whose codes, member (name, mobile, e-mail) or VIN contain ``term``; the
    member, account and car looked up only among ``members``, ``users`` and ``vehicles``
    when given (by primary key: a short word cannot use a trigram index)."""
    accounts = get_user_model().objects.filter(email__icontains=term)
    if users is not None:
        accounts = accounts.filter(pk__in=users)
    people = Member.objects.filter(
        Q(full_name__icontains=term) | Q(mobile__icontains=term) | Q(user_id__in=_ids_or_subquery(accounts))
    )
    cars = Vehicle.objects.filter(vin__icontains=term)
    if members is not None:
        people = people.filter(pk__in=members)
    if vehicles is not None:
        cars = cars.filter(pk__in=vehicles)
    return (
        Q(pickup_code__icontains=term)
        | Q(return_code__icontains=term)
        | Q(member_id__in=_ids_or_subquery(people))
        | Q(vehicle_id__in=_ids_or_subquery(cars))
    )


def testdrive_search(*, queryset: QuerySet[TestDrive], search_term: str) -> QuerySet[TestDrive]:
    """Bookings of which every word of ``search_term`` matches a code, the member or the VIN.

    The longest word (as a rule the narrowest) finds the candidates through the indexes; the
    other words are then checked among those candidates' members and cars only. A first word
    matching more than SEARCH_CANDIDATES_AT_MOST bookings is searched the plain way.
    """
    terms = sorted(search_term.split(), key=len, reverse=True)
    if not terms:
        return queryset
    first, *rest = terms
    candidates = list(
        queryset.filter(testdrive_search_q(first)).values_list(
            "pk", "member_id", "vehicle_id", "member__user_id"
        )[: SEARCH_CANDIDATES_AT_MOST + 1]
    )
    if len(candidates) > SEARCH_CANDIDATES_AT_MOST:
        found = queryset.filter(testdrive_search_q(first))
        for term in rest:
            found = found.filter(testdrive_search_q(term))
        return found
    found = queryset.filter(pk__in=[row[0] for row in candidates])
    within = {
        "members": {row[1] for row in candidates},
        "vehicles": {row[2] for row in candidates},
        "users": {row[3] for row in candidates},
    }
    for term in rest:
        found = found.filter(testdrive_search_q(term, **within))
    return found


@admin.register(TestDrive)
class TestDriveAdmin(ReadOnlyAdmin):
    """Bookings are made by testdrive_book, changed by services, and kept: the record is the audit."""

    list_display = [
        "pickup_code",
        "state",
        "member__full_name",
        "member__mobile",
        "car_model",
        "vehicle__vin",
        "store",
        "slot_start",
        "due_back_at",
    ]
    # Only what list_display shows (CarModel's name includes its brand's).
    list_select_related = ["member", "car_model__brand", "vehicle", "store"]
    # Fixed choices: no filter here reads the table to list its options (see admin/filters.py).
    list_filter = [
        "state",
        "store",
        SlotPeriodFilter,
        "due_back_at",
        IdentityMethodFilter,
        "car_model__brand",
    ]
    paginator = LargeTablePaginator
    show_full_result_count = False
    search_fields = [
        "pickup_code",
        "return_code",
        "member__full_name",
        "member__user__email",
        "member__mobile",
        "vehicle__vin",
    ]
    search_help_text = _("Pickup or return code, member name, e-mail or mobile, or VIN.")
    inlines = [
        PaymentInline,
        ExtensionInline,
        PurchaseOrderInline,
        PickupPhotoInline,
        ReturnPhotoInline,
        ReturnChargeInline,
        NotificationInline,
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "pickup_code",
                    "state",
                    "member_contact",
                    "store",
                    "car_model",
                    "paint",
                    "vehicle",
                    "swap_of",
                ]
            },
        ),
        (
            pgettext_lazy("test drive", "Pickup"),
            {
                "fields": [
                    ("slot_start", "slot_end"),
                    "arriving_at",
                    "vehicle_hold",
                    "fee_cny",
                    "identity_method",
                    "delivery_bay",
                ]
            },
        ),
        (
            _("Drive"),
            {
                "fields": [
                    ("departed_at", "due_back_at"),
                    "return_code",
                    ("returned_at", "finished_at"),
                    ("odometer_out_km", "odometer_in_km"),
                    ("energy_out_pct", "energy_in_pct"),
                    "late_fee_cny",
                    "damage_noted",
                    "inspection_notes",
                ]
            },
        ),
        (_("Transition log"), {"fields": ["transition_log"]}),
        (_("Record"), {"fields": [("created_at", "updated_at")]}),
    ]
    readonly_fields = [
        "member_contact",
        "arriving_at",
        "vehicle_hold",
        "transition_log",
        "created_at",
        "updated_at",
    ]

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> TestDrive | None:
        # The booking page (and its buttons) show all of RELATED; the list joins only its columns.
        field = self.opts.pk if from_field is None else self.opts.get_field(from_field)
        if not isinstance(field, Field):
            return None  # a relation, not a column: the admin's to_field check lets none through
        try:
            return (
                self.get_queryset(request)
                .select_related(*RELATED)
                .get(**{field.name: field.to_python(object_id)})
            )
        except (TestDrive.DoesNotExist, ValidationError, ValueError):
            return None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[TestDrive], search_term: str
    ) -> tuple[QuerySet[TestDrive], bool]:
        """Every word must match a code, the member's name, e-mail or mobile, or the VIN.

        Members and cars are looked up first, each in its own table (trigram indexes on
        PostgreSQL), and the bookings then by their ids: one OR across five joined tables
        would read every booking.
        """
        found = testdrive_search(queryset=queryset, search_term=search_term)
        # A code read off a phone arrives as "ab3k-7mnp": match it as the kiosk would.
        code = code_normalize(search_term)
        if code and code != search_term:
            found = found | queryset.filter(Q(pickup_code=code) | Q(return_code=code))
        return found, False

    def may_act(self, request: HttpRequest) -> bool:
        """Whether the user may press the transition buttons: the model's change permission."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    # --- the detail page ----------------------------------------------------------------------

    @admin.display(description=_("member"))
    def member_contact(self, obj: TestDrive) -> str:
        member = obj.member
        url = reverse("admin:members_member_change", args=[member.pk])
        return format_html(
            '<a href="{}">{}</a> · {} · <a href="mailto:{}">{}</a>',
            url,
            member.full_name,
            member.mobile or "—",
            member.user.email,
            member.user.email,
        )

    @admin.display(description=_("vehicle hold"))
    def vehicle_hold(self, obj: TestDrive) -> str:
        """The booking's entry in its car's reservation calendar (fleet's ``VehicleHold``)."""
        hold = VehicleHold.objects.filter(booking_id=obj.pk).first()
        if hold is None:
            return "—"
        local = timezone.localtime
        period = f"{local(hold.starts_at):%Y-%m-%d %H:%M} – {local(hold.ends_at):%Y-%m-%d %H:%M}"
        if hold.released_at is None:
            return period
        released = gettext("released %(when)s") % {"when": f"{local(hold.released_at):%Y-%m-%d %H:%M}"}
        return f"{period} ({released})"

    @admin.display(description=_("transitions"))
    def transition_log(self, obj: TestDrive) -> str:
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(step["at"]).strftime("%Y-%m-%d %H:%M:%S"),
                    STATE_LABELS.get(step["from"], step["from"]),
                    STATE_LABELS.get(step["to"], step["to"]),
                    self._who(obj, step["by"]),
                    step["description"],
                )
                for step in testdrive_timeline(test_drive=obj)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            gettext("When"),
            pgettext("transition", "From"),
            pgettext("transition", "To"),
            gettext("By"),
            gettext("Why"),
            rows,
        )

    @staticmethod
    def _who(obj: TestDrive, by: User | None) -> str:
        if by is None:
            return gettext("system (kiosk, tower or sweep)")
        if by.pk == obj.member.user_id:
            return gettext("the member")
        return by.get_username()

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: TestDrive | None = None,
    ) -> HttpResponse:
        if obj is not None and self.may_act(request):
            context["steps"] = [(step, self._step_url(obj, step)) for step in steps_for(obj)]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the buttons --------------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("overdue/", view(self.overdue_view), name="testdrives_testdrive_overdue"),
            path("today/", view(self.today_view), name="testdrives_testdrive_today"),
            path(
                "<path:object_id>/step/<str:step>/",
                view(self.step_view),
                name="testdrives_testdrive_step",
            ),
            path(
                "<int:object_id>/photos/<str:kind>/<int:photo_pk>/",
                view(self.photo_view),
                name="testdrives_testdrive_photo",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _step_url(obj: TestDrive, step: Step) -> str:
        return reverse("admin:testdrives_testdrive_step", args=[obj.pk, step.name])

    def photo_view(self, request: HttpRequest, object_id: int, kind: str, photo_pk: int) -> HttpResponse:
        """One return or pickup picture of the booking, for staff who may see those pictures."""
        photo: ReturnPhoto | PickupPhoto
        if kind == "return":
            photo = get_object_or_404(ReturnPhoto, pk=photo_pk, test_drive_id=object_id)
        elif kind == "pickup":
            photo = get_object_or_404(PickupPhoto, pk=photo_pk, test_drive_id=object_id)
        else:
            raise Http404
        if not request.user.has_perm(f"testdrives.view_{photo._meta.model_name}"):
            raise PermissionDenied  # as the inline that links it, which such staff do not see
        return photo_response(photo)

    def step_view(self, request: HttpRequest, object_id: str, step: str) -> HttpResponse:
        """GET: the step's form (or a confirmation). POST: call its service, then back to the
        booking. A refusal from the service is shown as an error message; nothing changes."""
        action = STEPS.get(step)
        if action is None:
            raise Http404
        test_drive = self.get_object(request, unquote(object_id))
        if test_drive is None:
            # Django's own redirect for a missing object; private, so the stubs leave it out.
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        if not self.may_act(request):
            raise PermissionDenied
        back = reverse("admin:testdrives_testdrive_change", args=[test_drive.pk])
        form = action.form(request.POST, request.FILES) if action.form and request.method == "POST" else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                action.run(test_drive, admin_user(request), form.cleaned_data if form else {})
            except ApplicationError as refusal:
                self.message_user(request, str(refusal.message), messages.ERROR)
                if action.form is None:
                    return redirect(back)
            else:
                self.message_user(
                    request, gettext("Done: %(step)s.") % {"step": action.label}, messages.SUCCESS
                )
                return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": test_drive,
            "title": action.label,
            "step": action,
            "form": form or (action.form() if action.form else None),
            "allowed": action.allowed_in(test_drive.state),
        }
        return TemplateResponse(request, "admin/testdrives/testdrive/step_form.html", context)

    # --- boards -------------------------------------------------------------------------------

    def _board(self, request: HttpRequest, template: str, title: str, **extra: object) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **extra}
        return TemplateResponse(request, f"admin/testdrives/testdrive/{template}", context)

    def overdue_view(self, request: HttpRequest) -> HttpResponse:
        now = timezone.now()
        return self._board(
            request, "overdue.html", gettext("Overdue cars"), rows=overdue_board(now=now), now=now
        )

    def today_view(self, request: HttpRequest) -> HttpResponse:
        now = timezone.now()
        return self._board(request, "today.html", gettext("Today at the stores"), days=store_days(now=now))
