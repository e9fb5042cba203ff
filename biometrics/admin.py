"""Biometric consents, read-only: staff can see whether and when a member consented, but a
consent is given or withdrawn only by the member (``consent_give``, ``consent_withdraw``)."""

from django.contrib import admin
from django.http import HttpRequest

from biometrics.models import BiometricConsent


@admin.register(BiometricConsent)
class BiometricConsentAdmin(admin.ModelAdmin):
    list_display = ["member", "version", "language", "given_at", "withdrawn_at"]
    list_select_related = ["member"]
    list_filter = ["version", "language", ("withdrawn_at", admin.EmptyFieldListFilter), "given_at"]
    search_fields = ["member__full_name", "member__mobile", "member__user__email"]
    date_hierarchy = "given_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
