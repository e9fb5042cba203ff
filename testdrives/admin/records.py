"""What the booking services write on the side: payments, pickup windows, messages (orders:
``orders.py``).

Staff look these up and never edit them: each is the record of a service's decision, and the
payment rows mirror what the provider was asked.
"""

from django.contrib import admin

from members.admin import ReadOnlyAdmin
from testdrives.models import Notification, Payment, PickupWindow
from vendingstore.admin_paging import LargeTablePaginator

DRIVE_SEARCH = ["test_drive__pickup_code", "test_drive__member__full_name", "test_drive__member__mobile"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["reference", "test_drive", "purpose", "amount_cny", "status", "provider", "created_at"]
    list_select_related = ["test_drive"]
    list_filter = ["status", "purpose", "provider", "created_at"]
    search_fields = ["reference", "provider_reference", *DRIVE_SEARCH]
    date_hierarchy = "created_at"


@admin.register(PickupWindow)
class PickupWindowAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "store", "booked"]
    list_select_related = ["store"]
    list_filter = ["store"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "member", "test_drive", "kind", "delivered_at", "read_at"]
    list_select_related = ["member", "test_drive"]
    list_filter = ["kind", ("delivered_at", admin.EmptyFieldListFilter), "created_at"]
    search_fields = ["member__full_name", "member__mobile", "test_drive__pickup_code"]
    # A million rows: no date_hierarchy (a DISTINCT over all of them per view), no exact count.
    paginator = LargeTablePaginator
    show_full_result_count = False
