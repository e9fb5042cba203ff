"""Biometric consent now; face templates and verification attempts arrive with the biometrics issue."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class BiometricConsent(models.Model):
    """A member's explicit consent to face enrolment and face pickup, for one version of the text.

    Withdrawing sets ``withdrawn_at``; giving it again makes a new row, so the history stays.
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="biometric_consents")
    version = models.CharField(_("text version"), max_length=16)
    language = models.CharField(_("language shown"), max_length=8)
    given_at = models.DateTimeField(_("given"))
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("biometric consent")
        verbose_name_plural = _("biometric consents")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(withdrawn_at__isnull=True), name="consent_one_open_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} v{self.version}"
