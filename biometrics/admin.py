"""Biometrics in the back office, read-only: staff see consents, enrolments, templates and face
checks, but a consent is given or withdrawn only by the member (``consent_give``,
``consent_withdraw``). Staff may flag an attempt for a dispute and delete a template."""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from biometrics.models import BiometricConsent, FaceEnrolment, FaceTemplate, VerificationAttempt
from biometrics.services import (
    face_attempt_dispute_close,
    face_attempts_dispute_open,
    face_template_delete,
)
from members.admin import ReadOnlyAdmin


@admin.register(BiometricConsent)
class BiometricConsentAdmin(ReadOnlyAdmin):
    list_display = ["member", "version", "language", "given_at", "withdrawn_at"]
    list_select_related = ["member"]
    list_filter = ["version", "language", ("withdrawn_at", admin.EmptyFieldListFilter), "given_at"]
    search_fields = ["member__full_name", "member__mobile", "member__user__email"]
    date_hierarchy = "given_at"


@admin.register(VerificationAttempt)
class VerificationAttemptAdmin(ReadOnlyAdmin):
    """Every face check with its numbers. Never an embedding; the probe frames only while an
    attempt is kept for a dispute (flag it before the decision deletes them, or they are gone)."""

    list_display = [
        "test_drive",
        "store",
        "result",
        "reason",
        "distance",
        "threshold",
        "total_ms",
        "disputed",
        "created_at",
    ]
    list_select_related = ["test_drive__store"]
    list_filter = ["result", "test_drive__store", "disputed", "created_at"]
    search_fields = ["test_drive__pickup_code", "test_drive__member__full_name", "test_drive__member__mobile"]
    date_hierarchy = "created_at"
    readonly_fields = (
        "test_drive",
        "result",
        "reason",
        "distance",
        "threshold",
        "model",
        "liveness",
        "timings_ms",
        "disputed",
        "disputed_at",
        "dispute_closed_at",
        "created_at",
        "decided_at",
    )
    fields = readonly_fields
    actions = ["flag_dispute", "close_dispute"]

    @admin.display(description=_("store"), ordering="test_drive__store")
    def store(self, obj: VerificationAttempt) -> object:
        return obj.test_drive.store

    @admin.display(description=_("total ms"))
    def total_ms(self, obj: VerificationAttempt) -> object:
        return obj.timings_ms.get("total")

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The list's action needs it; every field stays read-only (readonly_fields).
        return request.user.has_perm("biometrics.change_verificationattempt")

    @admin.action(description=_("Keep the probe frames for a dispute"))
    def flag_dispute(self, request: HttpRequest, queryset: QuerySet[VerificationAttempt]) -> None:
        flagged = face_attempts_dispute_open(attempt_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(n)s attempts kept for a dispute.") % {"n": flagged})

    @admin.action(description=_("Close the dispute and delete its frames"))
    def close_dispute(self, request: HttpRequest, queryset: QuerySet[VerificationAttempt]) -> None:
        closed = sum(
            face_attempt_dispute_close(attempt_id=pk) for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, _("%(n)s disputes closed, their frames deleted.") % {"n": closed})


@admin.register(FaceTemplate)
class FaceTemplateAdmin(ReadOnlyAdmin):
    """Who has a template and since when. The encrypted vector is never loaded."""

    list_display = ["member", "model", "created_at"]
    list_select_related = ["member"]
    search_fields = ["member__full_name", "member__mobile", "member__user__email"]
    fields = ["member", "model", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[FaceTemplate]:
        return super().get_queryset(request).defer("vector_encrypted")

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.has_perm("biometrics.delete_facetemplate")

    # Through the service, so that a photo still waiting goes with the template.
    def delete_model(self, request: HttpRequest, obj: FaceTemplate) -> None:
        face_template_delete(member=obj.member_id)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[FaceTemplate]) -> None:
        for member_id in queryset.values_list("member_id", flat=True):
            face_template_delete(member=member_id)


@admin.register(FaceEnrolment)
class FaceEnrolmentAdmin(ReadOnlyAdmin):
    list_display = ["member", "status", "reason", "created_at", "decided_at"]
    list_select_related = ["member"]
    list_filter = ["status", "reason"]
    fields = ["member", "status", "reason", "created_at", "decided_at"]
