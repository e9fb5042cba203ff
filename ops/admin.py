from django.contrib import admin

from ops.models import AuditEntry, Duty, QueueItem


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ("user", "starts", "ends", "escalations", "mobile")
    list_filter = ("escalations", "stores")
    filter_horizontal = ("stores",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")


@admin.register(QueueItem)
class QueueItemAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "kind",
        "store",
        "opened_at",
        "claimed_by",
        "alerted_at",
        "escalated_at",
        "closed_at",
    )
    list_filter = ("kind", "store")
    list_select_related = ("store", "claimed_by")
    readonly_fields = [f.name for f in QueueItem._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "by", "action", "test_drive", "reason")
    list_filter = ("action",)
    list_select_related = ("by", "test_drive")
    search_fields = ("test_drive__pickup_code", "by__username", "reason")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
