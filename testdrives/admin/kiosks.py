"""Kiosk devices: staff create one per tablet and see its token once, on the page that follows.

The token is rendered straight into that response and never put in a message, the session or
a log; only its hash is stored. Deactivating and rotating are admin actions, logged in the
admin history of each kiosk.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from testdrives.models import Kiosk
from testdrives.services.kiosks import kiosk_create, kiosk_deactivate, kiosk_rotate_token
from vendingstore.admin import admin_user


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "is_active", "last_seen_at", "created_by"]
    list_select_related = ["store", "created_by"]
    list_filter = ["is_active", "store"]
    search_fields = ["name", "store__name"]
    actions = ["deactivate", "rotate_token"]

    def get_fields(self, request: HttpRequest, obj: Kiosk | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("store", "name")
        return ("store", "name", "is_active", "last_seen_at", "created_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Kiosk | None = None) -> list[str]:
        # A kiosk stays bound to its store, and is switched off only by the audited action.
        return ["store", "is_active", "last_seen_at", "created_by"] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Kiosk | None = None) -> bool:
        return False  # deactivate instead: check-ins name the kiosk they came from

    def save_model(self, request: HttpRequest, obj: Kiosk, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        kiosk, token = kiosk_create(store=obj.store, name=obj.name, by=admin_user(request))
        obj.pk, obj.token_hash, obj.created_by = kiosk.pk, kiosk.token_hash, kiosk.created_by
        obj._state.adding = False
        # Read by response_add below, in this same request only.
        request._kiosk_tokens = [(kiosk, token)]  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: Kiosk, post_url_continue: str | None = None
    ) -> HttpResponse:
        return self._tokens_page(request, request._kiosk_tokens)  # type: ignore[attr-defined]

    def _tokens_page(self, request: HttpRequest, tokens: list[tuple[Kiosk, str]]) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Kiosk token: shown once"),
            "tokens": tokens,
        }
        # admin_view marks every admin page never_cache (no-store): the token stays in no cache.
        return TemplateResponse(request, "admin/testdrives/kiosk/token.html", context)

    @admin.action(description=_("Deactivate the selected kiosks"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Kiosk]) -> None:
        n = 0
        for kiosk in queryset:
            if kiosk_deactivate(kiosk=kiosk):
                self.log_change(request, kiosk, gettext("Deactivated."))
                n += 1
        self.message_user(
            request, ngettext("%(n)d kiosk deactivated.", "%(n)d kiosks deactivated.", n) % {"n": n}
        )

    @admin.action(description=_("Give the selected kiosks new tokens"), permissions=["change"])
    def rotate_token(self, request: HttpRequest, queryset: QuerySet[Kiosk]) -> HttpResponse | None:
        kiosks = list(queryset.select_related("store").filter(is_active=True))
        if not kiosks:
            self.message_user(request, gettext("Only active kiosks get new tokens."), messages.WARNING)
            return None
        tokens = []
        for kiosk in kiosks:
            tokens.append((kiosk, kiosk_rotate_token(kiosk=kiosk)))
            self.log_change(request, kiosk, gettext("Token rotated; the old token no longer works."))
        return self._tokens_page(request, tokens)
