"""The back office of the tower link: commands with their events, incidents, and each tower's
live page (bay map refreshed by htmx, hold / clear, manual moves with a reason).

Fleet's ``TowerAdmin`` knows nothing of the link: this module re-registers ``fleet.Tower`` with
``TowerControlAdminMixin`` on top of it (``tower`` comes after ``fleet`` in INSTALLED_APPS, so
admin autodiscovery has registered fleet's admin by then).
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fleet.admin import TowerAdmin as FleetTowerAdmin
from fleet.bay_map import BayCell, tower_bay_map
from fleet.models import Tower
from tower.incidents import incident_acknowledge, incident_resolve
from tower.manual import manual_move
from tower.models import (
    OPEN,
    IncidentStatus,
    TowerCommand,
    TowerEvent,
    TowerIncident,
    TowerLink,
)
from tower.reconcile import tower_clear, tower_hold
from vendingstore.admin import admin_user


class TowerEventInline(admin.TabularInline):
    model = TowerEvent
    fk_name = "command"
    readonly_fields = ("seq", "kind", "via", "received_at", "applied_at", "payload")
    fields = readonly_fields
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(TowerCommand)
class TowerCommandAdmin(admin.ModelAdmin):
    list_display = [
        "command_id",
        "tower",
        "kind",
        "vin",
        "move",
        "status",
        "fault_code",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "kind", "tower"]
    list_select_related = ["tower", "source_bay", "target_bay"]
    search_fields = ["vin", "command_id", "reason"]
    date_hierarchy = "created_at"
    inlines = [TowerEventInline]
    readonly_fields = [f.name for f in TowerCommand._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # moves are asked for from the tower's live page, with a reason

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the outbox is the audit trail

    @admin.display(description=_("move"))
    def move(self, obj: TowerCommand) -> str:
        return f"{obj.source_bay.code} → {obj.target_bay.code}"


@admin.register(TowerIncident)
class TowerIncidentAdmin(admin.ModelAdmin):
    list_display = ["raised_at", "tower", "kind", "status", "summary", "command"]
    list_filter = ["status", "kind", "tower"]
    list_select_related = ["tower", "command"]
    search_fields = ["summary"]
    readonly_fields = [
        "tower",
        "kind",
        "summary",
        "detail",
        "command",
        "raised_at",
        "acknowledged_by",
        "acknowledged_at",
        "resolved_by",
        "resolved_at",
    ]
    fields = [*readonly_fields, "status", "resolution"]
    actions = ["acknowledge", "resolve"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Acknowledge the selected incidents"))
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[TowerIncident]) -> None:
        for incident in queryset.filter(status=IncidentStatus.OPEN):
            incident_acknowledge(incident=incident, by=admin_user(request))
        self.message_user(request, gettext("Acknowledged."), messages.SUCCESS)

    @admin.action(description=_("Mark the selected incidents resolved"))
    def resolve(self, request: HttpRequest, queryset: QuerySet[TowerIncident]) -> None:
        for incident in queryset.exclude(status=IncidentStatus.RESOLVED):
            incident_resolve(incident=incident, by=admin_user(request), resolution="resolved from the list")
        self.message_user(request, gettext("Resolved."), messages.SUCCESS)


class ManualMoveForm(forms.Form):
    vin = forms.CharField(label=_("VIN"), max_length=17)
    target = forms.CharField(label=_("to bay"), max_length=10, help_text=_("e.g. L01-B02 or D1"))
    reason = forms.CharField(label=_("reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)


@dataclass(frozen=True)
class LiveCell:
    cell: BayCell
    moving: str  # "", or "out"/"in" with the command's kind while an open command uses the bay


def _live_rows(
    tower: Tower, open_commands: list[TowerCommand]
) -> tuple[list[int], list[tuple[int, list[LiveCell | None]]], list]:
    bay_map = tower_bay_map(tower=tower)
    moving: dict[str, str] = {}
    for command in open_commands:
        moving[command.source_bay.code] = f"↑ {command.get_status_display()}"
        moving[command.target_bay.code] = f"↓ {command.vin[-6:]}"
    rows = [
        (row.level, [LiveCell(cell, moving.get(cell.code, "")) if cell else None for cell in row.cells])
        for row in bay_map.rows
    ]
    return bay_map.positions, rows, bay_map.legend


class TowerControlAdminMixin(admin.ModelAdmin):
    """Adds ``<tower>/live/`` (and its htmx panel), hold, clear and manual move to the tower admin."""

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        mine = [
            path("<path:object_id>/live/", view(self.live_view), name="fleet_tower_live"),
            path("<path:object_id>/live/panel/", view(self.live_panel_view), name="fleet_tower_live_panel"),
            path("<path:object_id>/hold/", view(self.hold_view), name="fleet_tower_hold"),
            path("<path:object_id>/clear/", view(self.clear_view), name="fleet_tower_clear"),
            path("<path:object_id>/move/", view(self.move_view), name="fleet_tower_move"),
        ]
        return [*mine, *super().get_urls()]

    @admin.display(description=_("live"))
    def live_link(self, obj: Tower) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:fleet_tower_live", args=[obj.pk]), gettext("Live")
        )

    def _tower(self, request: HttpRequest, object_id: str, *, change: bool = False) -> Tower:
        tower = self.get_object(request, unquote(object_id))
        if tower is None:
            raise PermissionDenied
        allowed = (
            self.has_change_permission(request, tower) if change else self.has_view_permission(request, tower)
        )
        if not allowed:
            raise PermissionDenied
        return tower

    def _panel_context(self, tower: Tower) -> dict[str, object]:
        # One read of the open commands serves the map's moving bays and the list below it.
        open_commands = list(
            TowerCommand.objects.filter(OPEN, tower=tower).select_related("source_bay", "target_bay")
        )
        positions, rows, legend = _live_rows(tower, open_commands)
        return {
            "tower": tower,
            "link": TowerLink.objects.filter(tower=tower).first(),
            "positions": positions,
            "rows": rows,
            "legend": legend,
            "open_commands": open_commands[:50],
            "recent_commands": TowerCommand.objects.filter(tower=tower)
            .exclude(OPEN)
            .select_related("source_bay", "target_bay")[:10],
            "incidents": TowerIncident.objects.filter(tower=tower).exclude(status=IncidentStatus.RESOLVED)[
                :20
            ],
        }

    def live_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        tower = self._tower(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": tower,
            "title": gettext("%(tower)s: live") % {"tower": tower},
            "move_form": ManualMoveForm(),
            "reason_form": ReasonForm(),
            **self._panel_context(tower),
        }
        return TemplateResponse(request, "admin/tower/live.html", context)

    def live_panel_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        tower = self._tower(request, object_id)
        return TemplateResponse(request, "admin/tower/live_panel.html", self._panel_context(tower))

    def _back(self, tower: Tower) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:fleet_tower_live", args=[tower.pk]))

    def hold_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        tower = self._tower(request, object_id, change=True)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            reason = f"{request.user}: {form.cleaned_data['reason']}"
            ok = tower_hold(tower=tower, reason=reason)
            self.message_user(
                request,
                gettext("Tower on hold.") if ok else gettext("The controller did not answer."),
                messages.SUCCESS if ok else messages.ERROR,
            )
        return self._back(tower)

    def clear_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        tower = self._tower(request, object_id, change=True)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            ok = tower_clear(tower=tower, reason=f"{request.user}: {form.cleaned_data['reason']}")
            self.message_user(
                request,
                gettext("Tower cleared: back to auto.")
                if ok
                else gettext("The controller refused or did not answer."),
                messages.SUCCESS if ok else messages.ERROR,
            )
        return self._back(tower)

    def move_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        tower = self._tower(request, object_id, change=True)
        form = ManualMoveForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            error = manual_move(tower=tower, by=admin_user(request), **form.cleaned_data)
            self.message_user(
                request, error or gettext("Move sent."), messages.ERROR if error else messages.SUCCESS
            )
        return self._back(tower)


admin.site.unregister(Tower)


@admin.register(Tower)
class TowerAdmin(TowerControlAdminMixin, FleetTowerAdmin):
    list_display = [*FleetTowerAdmin.list_display, "live_link"]
