"""Members: the customer side of a user account.

This is the foundation's minimal profile; credit, tier, quotas and the blacklist are built on
it by the members issue.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    full_name = models.CharField(_("full legal name"), max_length=120)
    mobile = models.CharField(_("mobile number"), max_length=20, unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="zh-hans"
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        ordering = ["-joined_at"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self) -> str:
        return self.full_name
