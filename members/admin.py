from django.contrib import admin

from members.models import Member


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "mobile", "preferred_language", "joined_at"]
    list_select_related = ["user"]
    search_fields = ["full_name", "mobile", "user__email", "user__username"]
    list_filter = ["preferred_language"]
    raw_id_fields = ["user"]
