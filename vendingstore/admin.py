from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Vending Store back office")
admin.site.site_title = _("Vending Store")
admin.site.index_title = _("Run the store")


def admin_user(request: HttpRequest) -> User:
    """The staff member behind an admin request. ``admin_site.admin_view`` lets only signed-in
    staff through; anyone else is refused here rather than recorded as the author of a change."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
