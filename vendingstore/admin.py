from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Vending Store back office")
admin.site.site_title = _("Vending Store")
admin.site.index_title = _("Run the store")
