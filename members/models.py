"""Members: the customer side of a user account, their credit reports and their standing.

Secret numbers (national ID, driving licence) are stored hashed and encrypted, never in clear:
see ``members.identity``. The stored ``tier`` is a cache for lists and filters; every booking
decision derives it again from the rules (``testdrives.eligibility.member_eligibility``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    SUPER = "super", _("Super Member")
    STANDARD = "standard", _("Member")


class CreditBand(models.TextChoices):
    POOR = "poor", _("Poor")
    FAIR = "fair", _("Fair")
    GOOD = "good", _("Good")
    VERY_GOOD = "very_good", _("Very good")
    EXCELLENT = "excellent", _("Excellent")


class Member(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    full_name = models.CharField(_("full legal name"), max_length=120)
    mobile = models.CharField(_("mobile number"), max_length=20, unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="zh-hans"
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Null only for rows made before identity was required, and after anonymisation.
    id_number_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_last4 = models.CharField(_("ID number (last 4)"), max_length=4, blank=True, editable=False)
    licence_number_encrypted = models.TextField(blank=True, editable=False)
    licence_number_last4 = models.CharField(
        _("driving licence (last 4)"), max_length=4, blank=True, editable=False
    )
    licence_expires_on = models.DateField(_("driving licence valid until"), null=True, blank=True)
    # Read by the sandbox credit provider only: a demo or a support case can pin a score.
    sandbox_score_override = models.PositiveSmallIntegerField(
        _("sandbox score override"), null=True, blank=True, editable=False
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    tier_evaluated_at = models.DateTimeField(_("tier evaluated"), null=True, blank=True, editable=False)
    # Claimed with a conditional UPDATE while a bureau request runs; see member_credit_check.
    credit_check_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-joined_at"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        # The admin's default order (the changelist adds -pk).
        indexes = [models.Index(fields=["-joined_at", "-id"], name="member_joined_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(sandbox_score_override__isnull=True)
                | Q(sandbox_score_override__gte=350, sandbox_score_override__lte=950),
                name="member_override_on_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class CreditReport(models.Model):
    """One answer from a credit provider. Never edited: a new check adds a new report."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="credit_reports")
    provider = models.CharField(_("provider"), max_length=20)
    score = models.PositiveSmallIntegerField(_("score"))
    band = models.CharField(_("band"), max_length=16, choices=CreditBand.choices)
    reference = models.CharField(_("provider reference"), max_length=80, blank=True)
    fetched_at = models.DateTimeField(_("fetched"))
    expires_at = models.DateTimeField(_("valid until"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-fetched_at", "-id"]
        get_latest_by = "fetched_at"
        verbose_name = _("credit report")
        verbose_name_plural = _("credit reports")
        indexes = [models.Index(fields=["member", "-fetched_at"], name="creditreport_member_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=350, score__lte=950), name="creditreport_score_on_scale"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("fetched_at")), name="creditreport_expires_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.score} ({self.fetched_at:%Y-%m-%d})"


class BlacklistEntry(models.Model):
    """A member barred from new bookings by staff; lifted only by staff, with a reason."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="blacklist_entries")
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("blacklisted by")
    )
    created_at = models.DateTimeField(_("blacklisted"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        constraints = [
            # At most one open entry per member, whatever races between two staff members.
            models.UniqueConstraint(
                fields=["member"], condition=Q(lifted_at__isnull=True), name="blacklist_one_open_per_member"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="blacklist_has_reason"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True, lift_reason="")
                | (Q(lifted_at__isnull=False, lifted_by__isnull=False) & ~Q(lift_reason="")),
                name="blacklist_lift_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.created_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.lifted_at is None


class QuotaScope(models.TextChoices):
    ROLLING_LIMIT = "rolling_limit", _("drives in the rolling window")
    MODEL_ONCE = "model_once", _("each model once")
    ONE_ACTIVE = "one_active", _("one active drive at a time")


class QuotaException(models.Model):
    """Staff waive one quota rule for a member during a time window (optionally for one model)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="quota_exceptions")
    scope = models.CharField(_("rule waived"), max_length=16, choices=QuotaScope.choices)
    car_model = models.ForeignKey(
        "fleet.CarModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for model"),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    reason = models.TextField(_("reason"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("quota exception")
        verbose_name_plural = _("quota exceptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="quotaexception_window"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="quotaexception_has_reason"),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True, revoke_reason="")
                | (Q(revoked_at__isnull=False, revoked_by__isnull=False) & ~Q(revoke_reason="")),
                name="quotaexception_revoke_is_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_scope_display()}"


class DriveOutcome(models.TextChoices):
    DRIVEN = "driven", _("driven")
    NO_SHOW = "no_show", _("no-show")


class RecordedDrive(models.Model):
    """A test drive staff recorded by hand: one from before this system, or one taken offline.

    The quota rules count these together with the test-drive bookings (``member_drive_history``).
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="recorded_drives")
    car_model = models.ForeignKey(
        "fleet.CarModel", on_delete=models.PROTECT, related_name="+", verbose_name=_("car model")
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=DriveOutcome.choices)
    # When the car left the bay (driven) or when the missed slot ended (no-show).
    counted_at = models.DateTimeField(_("started or missed at"))
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-counted_at"]
        verbose_name = _("recorded drive")
        verbose_name_plural = _("recorded drives")
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(outcome="driven", returned_at__gte=F("counted_at")),
                name="recordeddrive_return_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.car_model_id} {self.outcome} {self.counted_at:%Y-%m-%d}"


class AuditAction(models.TextChoices):
    REGISTERED = "registered", _("registered")
    PROFILE_CORRECTED = "profile_corrected", _("profile corrected")
    DATA_EXPORTED = "data_exported", _("data exported")
    ANONYMISED = "anonymised", _("deleted and anonymised")
    CREDIT_CHECKED = "credit_checked", _("credit checked")
    CREDIT_CHECK_FAILED = "credit_check_failed", _("credit check failed")
    TIER_CHANGED = "tier_changed", _("tier changed")
    SCORE_OVERRIDE_SET = "score_override_set", _("sandbox score override set")
    BLACKLISTED = "blacklisted", _("blacklisted")
    BLACKLIST_LIFTED = "blacklist_lifted", _("blacklist lifted")
    QUOTA_EXCEPTION_GRANTED = "quota_exception_granted", _("quota exception granted")
    QUOTA_EXCEPTION_REVOKED = "quota_exception_revoked", _("quota exception revoked")
    DRIVE_RECORDED = "drive_recorded", _("drive recorded")


class MemberAuditEvent(models.Model):
    """Who did what to a member's account and standing, when and why. Append-only."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="audit_events")
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    # Null when the system acted (a scheduled re-evaluation).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    # The actor's username at the time: the record says who even if that account is removed.
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.member}: {self.action}"


class Favourite(models.Model):
    """A model the member saved, optionally in one paint and at one store, and whether to tell
    them when one becomes free to book there ("tell me when it's free").

    ``available_seen`` is what the last check found (a car bookable now, for this paint and store);
    a message goes out only when it turns from false to true, and each such turn is numbered
    (``alert_count``) so one turn can make one alert at most (``FavouriteAlert``'s constraint).
    """

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="favourites")
    car_model = models.ForeignKey(
        "fleet.CarModel", on_delete=models.CASCADE, related_name="+", verbose_name=_("car model")
    )
    paint = models.ForeignKey(
        "fleet.Paint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("paint"),
    )
    store = models.ForeignKey(
        "fleet.Store",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("store"),
    )
    notify = models.BooleanField(_("tell me when it is free"), default=True)
    available_seen = models.BooleanField(default=False, editable=False)
    alert_count = models.PositiveIntegerField(default=0, editable=False)
    alerted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("saved car")
        verbose_name_plural = _("saved cars")
        constraints = [
            models.UniqueConstraint(fields=["member", "car_model"], name="favourite_once_per_model"),
        ]
        indexes = [models.Index(fields=["car_model", "notify"], name="favourite_model_notify")]

    def __str__(self) -> str:
        return f"{self.member}: {self.car_model_id}"


class FavouriteAlert(models.Model):
    """One "it is free" turn of one saved car, waiting to be told or told. A member's pending alerts
    are folded into one message (``favourite_alerts_deliver``); the unique (favourite, number)
    makes a turn alert once, whatever runs twice."""

    favourite = models.ForeignKey(Favourite, on_delete=models.CASCADE, related_name="alerts")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="favourite_alerts")
    number = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the one delivery that took this alert (a conditional UPDATE), then delivered_at.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("saved car alert")
        verbose_name_plural = _("saved car alerts")
        constraints = [
            models.UniqueConstraint(fields=["favourite", "number"], name="favouritealert_once_per_turn"),
        ]
        indexes = [models.Index(fields=["member", "delivered_at"], name="favouritealert_pending")]

    def __str__(self) -> str:
        return f"{self.favourite}#{self.number}"
