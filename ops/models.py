"""The operations room: what needs a person (queue items, claimed by one operator, alerted once),
who is on duty where, and what operators did (the audit).

A queue item mirrors something in the store's own tables (a waiting ID check, a locked booking,
an overdue car...); ``ops.queues`` finds those, and a row here exists once someone claimed the
thing or it was alerted. Nothing outside ``ops`` imports it."""

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QueueKind(models.TextChoices):
    ID_CHECK = "id_check", _("Remote ID check")
    LOCKED = "locked", _("Booking locked")
    RETURN_REVIEW = "return", _("Return to review")
    DISPATCH_FAILED = "dispatch", _("Car could not be sent")
    TOWER = "tower", _("Tower incident")
    OVERDUE = "overdue", _("Car overdue")
    PAYMENT_FAILED = "payment", _("Payment failed")
    WALKED_AWAY = "walked", _("Car waiting in a delivery bay")
    GATE_OPEN = "gate", _("Bay gate not closed after a return")


class QueueItem(models.Model):
    """One thing that needs a person. ``(kind, key)`` names it (``key`` is the source row's pk);
    at most one open item per thing (the database says so). Claimed by one operator at a time
    (a conditional UPDATE); alerted once and escalated once."""

    kind = models.CharField(_("kind"), max_length=10, choices=QueueKind.choices)
    key = models.CharField(max_length=40)
    store = models.ForeignKey("fleet.Store", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    opened_at = models.DateTimeField(_("opened"))
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("alerted"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("queue item")
        verbose_name_plural = _("queue items")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(closed_at__isnull=True),
                name="ops_one_open_item_per_thing",
            ),
            models.CheckConstraint(
                condition=Q(claimed_by__isnull=True) | Q(claimed_at__isnull=False),
                name="ops_claim_has_a_time",
            ),
        ]
        permissions = [
            ("use_console", _("Can see the operations console")),
            ("act_on_queues", _("Can claim queue items, decide ID checks and review returns")),
            ("override", _("Can override: unlock bookings, retry the tower")),
        ]

    def __str__(self) -> str:
        return self.title


class Duty(models.Model):
    """An operator's shift: the stores they look after and the hours (store-local, every day).
    ``escalations``: a manager who also receives what nobody claimed in time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duties")
    stores = models.ManyToManyField("fleet.Store", related_name="+", verbose_name=_("stores"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"), help_text=_("Earlier than 'from' for a night shift."))
    escalations = models.BooleanField(_("receives escalations (manager)"), default=False)
    mobile = models.CharField(_("mobile number for alerts"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")

    def __str__(self) -> str:
        return f"{self.user} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def covers(self, moment: time) -> bool:
        """On duty at ``moment`` (store-local); a shift whose end is before its start runs overnight,
        one that ends when it starts lasts all day."""
        if self.starts == self.ends:
            return True
        if self.starts < self.ends:
            return self.starts <= moment < self.ends
        return moment >= self.starts or moment < self.ends


# What each audited console action is called on the pages (the rows keep the code).
ACTION_LABELS = {
    "claim": pgettext_lazy("audit", "claimed"),
    "release": pgettext_lazy("audit", "let go"),
    "id_check_approve": pgettext_lazy("audit", "approved the ID check"),
    "id_check_refuse": pgettext_lazy("audit", "refused the ID check"),
    "unlock": pgettext_lazy("audit", "unlocked the face attempts"),
    "dispatch_retry": pgettext_lazy("audit", "asked the tower again"),
    "return_review": pgettext_lazy("audit", "reviewed the return"),
    "return_ok": pgettext_lazy("audit", "reviewed the return: nothing to charge"),
    "return_charge": pgettext_lazy("audit", "reviewed the return: charged the member"),
    "overdue_remind": pgettext_lazy("audit", "reminded the member"),
    "late_fee_charge": pgettext_lazy("audit", "charged the late fee so far"),
    "overdue_report": pgettext_lazy("audit", "reported the car as not returned"),
    "payment_retry": pgettext_lazy("audit", "tried the charge again"),
    "payment_waive": pgettext_lazy("audit", "waived the payment"),
    "incident_acknowledge": pgettext_lazy("audit", "acknowledged the incident"),
    "incident_resolve": pgettext_lazy("audit", "resolved the incident"),
    "tower_resume": pgettext_lazy("audit", "resumed the tower"),
    "walked_away_release": pgettext_lazy("audit", "sent the car back into storage"),
    "bay_clear": pgettext_lazy("audit", "saw the bay empty and had the car stowed"),
    "order_contract_signed": pgettext_lazy("audit", "purchase order: contract signed"),
    "order_invoiced": pgettext_lazy("audit", "purchase order: invoice (fapiao) issued"),
    "order_registered": pgettext_lazy("audit", "purchase order: registered, plates issued"),
    "order_ready": pgettext_lazy("audit", "purchase order: ready for handover"),
    "order_handed_over": pgettext_lazy("audit", "purchase order: handed over"),
    "order_handover": pgettext_lazy("audit", "purchase order: handover arranged"),
}


class AuditEntry(models.Model):
    """Who did what from the console, when and why (claims, decisions, overrides)."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("action"), max_length=40)
    reason = models.TextField(_("why"), blank=True)
    test_drive = models.ForeignKey(
        "testdrives.TestDrive", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    item_kind = models.CharField(max_length=10, choices=QueueKind.choices, blank=True)
    item_key = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by} {self.action}"

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))
