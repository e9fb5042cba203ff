"""The members back office: find a member, see their standing, act on it through services.

Every change (blacklist, lift, score override, quota exception, recorded drive) goes through a
small form with a reason and a service, so it lands in the member's audit history. Reports,
blacklist entries, exceptions and audit events are never edited in place.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from members.admin_forms import QuotaExceptionForm, ReasonForm, RecordedDriveForm, ScoreOverrideForm
from members.identity import id_number_normalize, secret_hash
from members.models import (
    AuditAction,
    BlacklistEntry,
    CreditBand,
    CreditReport,
    Favourite,
    FavouriteAlert,
    Member,
    MemberAuditEvent,
    QuotaException,
    RecordedDrive,
)
from members.services import (
    audit_record,
    member_blacklist,
    member_blacklist_lift,
    member_credit_check,
    member_set_score_override,
    member_tier_refresh,
    quota_exception_grant,
    quota_exception_revoke,
    recorded_drive_add,
)
from vendingstore.admin import admin_user
from vendingstore.admin_paging import LargeTablePaginator
from vendingstore.api_errors import ApplicationError

if TYPE_CHECKING:
    # Dev-only stubs helper: types a member that carries the changelist's standing annotations.
    from django_stubs_ext import StrOrPromise, WithAnnotations


class _Standing(TypedDict):
    newest_score: int | None
    newest_band: str | None
    is_blacklisted: bool


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False
    # The related rows each row shows, read with it rather than one query per row.
    related: tuple[str, ...] = ()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The row's own title names its member, hence "member" too.
        return super().get_queryset(request).select_related("member", *self.related)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class CreditReportInline(ReadOnlyInline):
    model = CreditReport
    readonly_fields = ("fetched_at", "score", "band", "provider", "expires_at", "requested_by")
    fields = readonly_fields
    related = ("requested_by",)


class BlacklistEntryInline(ReadOnlyInline):
    model = BlacklistEntry
    fk_name = "member"
    readonly_fields = ("created_at", "created_by", "reason", "lifted_at", "lifted_by", "lift_reason")
    fields = readonly_fields
    related = ("created_by", "lifted_by")


class QuotaExceptionInline(ReadOnlyInline):
    model = QuotaException
    fk_name = "member"
    readonly_fields = (
        "scope",
        "car_model",
        "valid_from",
        "valid_until",
        "reason",
        "granted_by",
        "revoked_at",
        "revoke",
    )
    fields = readonly_fields
    related = ("car_model__brand", "granted_by")

    @admin.display(description=_("revoke"))
    def revoke(self, obj: QuotaException) -> str:
        if obj.revoked_at:
            return "—"
        url = reverse("admin:members_member_revoke_exception", args=[obj.member_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Revoke…"))


class RecordedDriveInline(ReadOnlyInline):
    model = RecordedDrive
    fk_name = "member"
    readonly_fields = ("car_model", "outcome", "counted_at", "returned_at", "note", "recorded_by")
    fields = readonly_fields
    related = ("car_model__brand", "recorded_by")


class AuditEventInline(ReadOnlyInline):
    model = MemberAuditEvent
    readonly_fields = ("created_at", "action", "actor_name", "reason", "data")
    fields = readonly_fields
    verbose_name_plural = _("audit history")


class ScoreBandFilter(admin.SimpleListFilter):
    title = _("score band (newest report)")
    parameter_name = "band"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [*CreditBand.choices, ("none", _("no report"))]

    def queryset(
        self, request: HttpRequest, queryset: "QuerySet[WithAnnotations[Member, _Standing]]"
    ) -> "QuerySet[WithAnnotations[Member, _Standing]]":
        if self.value() == "none":
            return queryset.filter(newest_score__isnull=True)
        if self.value():
            return queryset.filter(newest_band=self.value())
        return queryset


class BlacklistedFilter(admin.SimpleListFilter):
    title = _("blacklisted")
    parameter_name = "blacklisted"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin
    ) -> list[tuple[str, "StrOrPromise"]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(
        self, request: HttpRequest, queryset: "QuerySet[WithAnnotations[Member, _Standing]]"
    ) -> "QuerySet[WithAnnotations[Member, _Standing]]":
        if self.value() in ("yes", "no"):
            return queryset.filter(is_blacklisted=self.value() == "yes")
        return queryset


def annotate_standing(queryset: QuerySet[Member]) -> "QuerySet[WithAnnotations[Member, _Standing]]":
    newest = CreditReport.objects.filter(member=OuterRef("pk")).order_by("-fetched_at", "-id")
    return queryset.annotate(
        newest_score=Subquery(newest.values("score")[:1]),
        newest_band=Subquery(newest.values("band")[:1]),
        is_blacklisted=Exists(BlacklistEntry.objects.filter(member=OuterRef("pk"), lifted_at__isnull=True)),
    )


# More accounts than this match a search word: they are matched by a subquery, not a list of ids.
SEARCH_IDS_AT_MOST = 500


def _member_search_q(term: str, *, within: list[int] | None = None) -> Q:
    """Members whose name, mobile, e-mail or username contains ``term`` (among ``within``)."""
    accounts = get_user_model().objects.filter(Q(email__icontains=term) | Q(username__icontains=term))
    if within is not None:
        accounts = accounts.filter(member__pk__in=within)
    ids = list(accounts.values_list("pk", flat=True)[: SEARCH_IDS_AT_MOST + 1])
    users = accounts.values("pk") if len(ids) > SEARCH_IDS_AT_MOST else ids
    return Q(full_name__icontains=term) | Q(mobile__icontains=term) | Q(user_id__in=users)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "mobile", "tier", "score", "band", "blacklisted", "joined_at"]
    list_select_related = ["user"]
    list_filter = ["tier", ScoreBandFilter, BlacklistedFilter, "preferred_language", "anonymised_at"]
    search_fields = ["full_name", "mobile", "user__email", "user__username"]
    search_help_text = _("Name, mobile, e-mail, or a full national ID number.")
    paginator = LargeTablePaginator
    show_full_result_count = False
    raw_id_fields = ["user"]
    fields = [
        "user",
        "full_name",
        "mobile",
        "preferred_language",
        "date_of_birth",
        "id_number_last4",
        "licence_number_last4",
        "licence_expires_on",
        "tier",
        "tier_evaluated_at",
        "sandbox_score_override",
        "joined_at",
        "anonymised_at",
    ]
    readonly_fields = [
        "user",
        "id_number_last4",
        "licence_number_last4",
        "tier",
        "tier_evaluated_at",
        "sandbox_score_override",
        "joined_at",
        "anonymised_at",
    ]
    inlines = [
        CreditReportInline,
        BlacklistEntryInline,
        QuotaExceptionInline,
        RecordedDriveInline,
        AuditEventInline,
    ]
    actions = ["check_credit", "reevaluate_tier"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Member]:
        return annotate_standing(super().get_queryset(request))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Member], search_term: str
    ) -> tuple[QuerySet[Member], bool]:
        # ID numbers are stored only as a keyed hash: a full number is found by hashing it.
        number = id_number_normalize(search_term)
        if len(number) == 18:
            return queryset.filter(id_number_hash=secret_hash(number)), False
        # Every word must match the name, mobile, e-mail or username. Accounts are looked up in
        # their own table first (an OR across the join would read every member), and the
        # longest word, as a rule the narrowest, picks the candidates the others are checked on.
        terms = sorted(search_term.split(), key=len, reverse=True)
        if not terms:
            return queryset, False
        found = queryset.filter(_member_search_q(terms[0]))
        candidates = list(found.values_list("pk", flat=True)[: SEARCH_IDS_AT_MOST + 1])
        within = candidates if len(candidates) <= SEARCH_IDS_AT_MOST else None
        if within is not None:
            found = queryset.filter(pk__in=within)
        for term in terms[1:]:
            found = found.filter(_member_search_q(term, within=within))
        return found, False

    def save_model(self, request: HttpRequest, obj: Member, form: forms.ModelForm, change: bool) -> None:
        # Staff correct name or date of birth against a document; the audit says who and what.
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            audit_record(
                member=obj,
                action=AuditAction.PROFILE_CORRECTED,
                actor=admin_user(request),
                data={"fields": form.changed_data, "by_staff": True},
            )
            member_tier_refresh(member=obj, actor=admin_user(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # members sign up themselves; their identity is checked by member_register

    def has_delete_permission(self, request: HttpRequest, obj: Member | None = None) -> bool:
        return False  # deletion is anonymisation (member_anonymise), which keeps what the law needs

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj: Member) -> str:
        return obj.user.email

    @admin.display(description=_("score"), ordering="newest_score")
    def score(self, obj: "WithAnnotations[Member, _Standing]") -> int | None:
        return obj.newest_score

    @admin.display(description=_("band"))
    def band(self, obj: "WithAnnotations[Member, _Standing]") -> "StrOrPromise":
        return CreditBand(obj.newest_band).label if obj.newest_band else "—"

    @admin.display(description=_("blacklisted"), boolean=True, ordering="is_blacklisted")
    def blacklisted(self, obj: "WithAnnotations[Member, _Standing]") -> bool:
        return obj.is_blacklisted

    @admin.action(description=_("Check credit now"))
    def check_credit(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset:
            try:
                report = member_credit_check(member=member, requested_by=admin_user(request), by_staff=True)
            except ApplicationError as refusal:
                self.message_user(request, f"{member}: {refusal.message}", messages.ERROR)
            else:
                self.message_user(request, f"{member}: {report.score} ({report.get_band_display()})")

    @admin.action(description=_("Re-evaluate tier"))
    def reevaluate_tier(self, request: HttpRequest, queryset: QuerySet[Member]) -> None:
        for member in queryset:
            member_tier_refresh(member=member, actor=admin_user(request))
        self.message_user(request, _("Tiers re-evaluated."))

    # --- Buttons on the change page, each a form feeding one service ------------------------

    def get_urls(self) -> list:
        def view(name: str, func: Callable) -> object:
            return path(
                f"<int:member_id>/{name}/", self.admin_site.admin_view(func), name=f"members_member_{name}"
            )

        return [
            view("blacklist", self.blacklist_view),
            view("lift_blacklist", self.lift_blacklist_view),
            view("score_override", self.score_override_view),
            view("quota_exception", self.quota_exception_view),
            view("record_drive", self.record_drive_view),
            path(
                "<int:member_id>/revoke_exception/<int:exception_id>/",
                self.admin_site.admin_view(self.revoke_exception_view),
                name="members_member_revoke_exception",
            ),
            *super().get_urls(),
        ]

    def _form_page(
        self,
        request: HttpRequest,
        member_id: int,
        form_class: type[forms.Form],
        title: "StrOrPromise",
        act: Callable[[Member, dict[str, Any]], object],
        initial: dict[str, Any] | None = None,
    ) -> HttpResponse:
        member = get_object_or_404(Member, pk=member_id)
        if not self.has_change_permission(request, member):
            raise PermissionDenied
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                act(member, form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except ApplicationError as refusal:
                form.add_error(None, str(refusal.message))
            else:
                self.message_user(request, _("Done: recorded in the member's audit history."))
                return HttpResponseRedirect(reverse("admin:members_member_change", args=[member.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "member": member,
            "form": form,
            "opts": self.model._meta,
            "original": member,
        }
        return TemplateResponse(request, "admin/members/member/action_form.html", context)

    def blacklist_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        return self._form_page(
            request,
            member_id,
            ReasonForm,
            _("Blacklist this member"),
            lambda m, d: member_blacklist(member=m, actor=admin_user(request), reason=d["reason"]),
        )

    def lift_blacklist_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        return self._form_page(
            request,
            member_id,
            ReasonForm,
            _("Lift the blacklist"),
            lambda m, d: member_blacklist_lift(member=m, actor=admin_user(request), reason=d["reason"]),
        )

    def score_override_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        return self._form_page(
            request,
            member_id,
            ScoreOverrideForm,
            _("Sandbox score override"),
            lambda m, d: member_set_score_override(
                member=m, actor=admin_user(request), score=d["score"], reason=d["reason"]
            ),
            initial={
                "score": Member.objects.filter(pk=member_id)
                .values_list("sandbox_score_override", flat=True)
                .first()
            },
        )

    def quota_exception_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        return self._form_page(
            request,
            member_id,
            QuotaExceptionForm,
            _("Grant a quota exception"),
            lambda m, d: quota_exception_grant(member=m, actor=admin_user(request), **d),
        )

    def record_drive_view(self, request: HttpRequest, member_id: int) -> HttpResponse:
        return self._form_page(
            request,
            member_id,
            RecordedDriveForm,
            _("Record a test drive taken outside the system"),
            lambda m, d: recorded_drive_add(member=m, actor=admin_user(request), **d),
        )

    def revoke_exception_view(self, request: HttpRequest, member_id: int, exception_id: int) -> HttpResponse:
        exception = get_object_or_404(QuotaException, pk=exception_id, member_id=member_id)
        return self._form_page(
            request,
            member_id,
            ReasonForm,
            _("Revoke quota exception: %(scope)s") % {"scope": exception.get_scope_display()},
            lambda m, d: quota_exception_revoke(
                exception=exception, actor=admin_user(request), reason=d["reason"]
            ),
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(CreditReport)
class CreditReportAdmin(ReadOnlyAdmin):
    list_display = ["member", "score", "band", "provider", "fetched_at", "expires_at", "requested_by"]
    list_select_related = ["member", "requested_by"]
    list_filter = ["band", "provider", "fetched_at"]
    search_fields = ["member__full_name", "member__mobile", "member__user__email"]
    date_hierarchy = "fetched_at"


@admin.register(BlacklistEntry)
class BlacklistEntryAdmin(ReadOnlyAdmin):
    list_display = ["member", "created_at", "created_by", "reason", "lifted_at", "lifted_by"]
    list_select_related = ["member", "created_by", "lifted_by"]
    list_filter = [("lifted_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["member__full_name", "member__mobile", "reason"]


@admin.register(QuotaException)
class QuotaExceptionAdmin(ReadOnlyAdmin):
    list_display = ["member", "scope", "car_model", "valid_from", "valid_until", "granted_by", "revoked_at"]
    list_select_related = ["member", "car_model__brand", "granted_by"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["member__full_name", "member__mobile", "reason"]


@admin.register(MemberAuditEvent)
class MemberAuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "action", "actor_name", "reason"]
    list_select_related = ["member"]
    list_filter = ["action", "created_at"]
    search_fields = ["member__full_name", "member__mobile", "actor_name", "reason"]
    date_hierarchy = "created_at"


@admin.register(Favourite)
class FavouriteAdmin(ReadOnlyAdmin):
    """Which models members wait for, and whether they were told (read-only: members own them)."""

    list_display = [
        "member",
        "car_model",
        "paint",
        "store",
        "notify",
        "available_seen",
        "alert_count",
        "alerted_at",
    ]
    list_select_related = ["member", "car_model__brand", "paint__car_model__brand", "store"]
    list_filter = ["notify", "available_seen", "store", "car_model__brand"]
    search_fields = ["member__full_name", "member__mobile", "car_model__name", "car_model__slug"]


@admin.register(FavouriteAlert)
class FavouriteAlertAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "favourite", "number", "delivered_at"]
    list_select_related = ["member", "favourite__member"]
    list_filter = [("delivered_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["member__full_name", "member__mobile"]
    date_hierarchy = "created_at"
