"""Consent, face templates (encrypted), enrolments and verification attempts (DESIGN.md §5)."""

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


class FaceTemplate(models.Model):
    """A member's face template: the embedding of their enrolment photo, encrypted at rest.

    Never shown by any page or API. One per member: a new enrolment replaces the old one.
    """

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE, related_name="face_template")
    model = models.CharField(_("face model"), max_length=32)
    # Fernet token of the little-endian float32 vector, under BIOMETRICS_TEMPLATE_KEYS.
    vector_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("enrolled"), auto_now_add=True)
    # Told by testdrives (``face_template_used``): a booking of the member is open, and when one
    # last ended. Retention counts from it, so biometrics never reads bookings.
    in_use = models.BooleanField(_("a booking is open"), default=False)
    last_used_at = models.DateTimeField(_("last drive ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("face template")
        verbose_name_plural = _("face templates")

    def __str__(self) -> str:
        return f"{self.member} ({self.model})"


class EnrolmentStatus(models.TextChoices):
    PENDING = "pending", _("Being checked")
    DONE = "done", _("Enrolled")
    REFUSED = "refused", _("Please retake")


class FaceEnrolment(models.Model):
    """One enrolment photo on its way to a template. The photo is deleted once decided."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="face_enrolments")
    photo = models.FileField(upload_to="face-enrolments/", blank=True)
    status = models.CharField(max_length=8, choices=EnrolmentStatus.choices, default=EnrolmentStatus.PENDING)
    reason = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status}"


class AttemptResult(models.TextChoices):
    PENDING = "pending", _("Deciding")
    MATCH = "match", _("Match")
    NO_MATCH = "no_match", _("No match")
    SPOOF = "spoof", _("Liveness failed")
    RETAKE = "retake", _("Retake")
    NO_TEMPLATE = "no_template", _("Not enrolled")


# Results that count towards the booking's limit of failed face checks.
FAILED_RESULTS = [AttemptResult.NO_MATCH, AttemptResult.SPOOF]


class VerificationAttempt(models.Model):
    """One face check at the kiosk for one booking: the decision and its numbers, not the face.

    The probe frames (encrypted, outside MEDIA_ROOT: ``biometrics.frames``) are deleted right after
    the decision, unless staff flag a dispute first; then when the dispute is closed, or
    ``BIOMETRICS_DISPUTE_RETENTION_DAYS`` after it was opened, whichever comes first.
    """

    test_drive = models.ForeignKey(
        "testdrives.TestDrive", on_delete=models.CASCADE, related_name="face_attempts"
    )
    request_key = models.UUIDField(editable=False)
    result = models.CharField(max_length=12, choices=AttemptResult.choices, default=AttemptResult.PENDING)
    reason = models.CharField(max_length=32, blank=True)
    distance = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True)
    model = models.CharField(max_length=32, blank=True)
    liveness = models.JSONField(default=dict, blank=True)
    timings_ms = models.JSONField(default=dict, blank=True)
    frames = models.JSONField(
        default=list,
        blank=True,
        help_text="Names of the encrypted probe frames in BIOMETRICS_FRAMES_DIR, until deleted.",
    )
    disputed = models.BooleanField(_("kept for a dispute"), default=False)
    disputed_at = models.DateTimeField(_("dispute opened"), null=True, blank=True)
    dispute_closed_at = models.DateTimeField(_("dispute closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")
        constraints = [
            models.UniqueConstraint(fields=["test_drive", "request_key"], name="attempt_once_per_request"),
        ]
        indexes = [models.Index(fields=["test_drive", "result"], name="attempt_drive_result")]

    def __str__(self) -> str:
        return f"{self.test_drive_id} {self.result}"
