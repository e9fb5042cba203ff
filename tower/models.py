"""The tower controller link: the command outbox, the event inbox, incidents and per-tower sync state.

The tables keep the names they had while these models were the ``fleet`` app's (``db_table``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CommandKind(models.TextChoices):
    RETRIEVE = "retrieve", _("Retrieve (storage → delivery)")
    # "store" is the wire protocol's word (and the stored value); in our code the verb is "stow",
    # so it is never mistaken for the shop.
    STOW = "store", _("Stow (delivery → storage)")
    RELOCATE = "relocate", _("Relocate (storage → storage)")


class CommandStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    ACCEPTED = "accepted", _("Accepted, queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    ABORTED = "aborted", _("Aborted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled before sending")


# A command holds its car and both bays while it is in one of these.
OPEN_STATUSES = [CommandStatus.PENDING, CommandStatus.ACCEPTED, CommandStatus.RUNNING]
FINAL_STATUSES = [s for s in CommandStatus.values if s not in OPEN_STATUSES]
OPEN = Q(status__in=OPEN_STATUSES)
# An abort that says nothing about the move itself: the same move may be asked again (new command_id).
REISSUE_FAULTS = ("controller_restart",)


class TowerCommand(models.Model):
    """One move asked of a tower controller: the outbox row.

    Created in the same transaction as the state change that needs it and sent after commit.
    ``command_id`` is the controller's idempotency key, so re-sending is always safe. The car
    and both bays are taken by at most one open command (database constraints).
    """

    command_id = models.UUIDField(_("command id"), default=uuid.uuid4, unique=True, editable=False)
    tower = models.ForeignKey("fleet.Tower", on_delete=models.PROTECT, related_name="commands")
    kind = models.CharField(_("kind"), max_length=8, choices=CommandKind.choices)
    vehicle = models.ForeignKey("fleet.Vehicle", on_delete=models.PROTECT, related_name="tower_commands")
    vin = models.CharField("VIN", max_length=17)
    source_bay = models.ForeignKey("fleet.Bay", on_delete=models.PROTECT, related_name="outbound_commands")
    target_bay = models.ForeignKey("fleet.Bay", on_delete=models.PROTECT, related_name="inbound_commands")
    # Whoever asked for the move, in their own words (e.g. "testdrive:42"): opaque to the link,
    # handed back with the outcome (tower.signals). Empty for staff's manual moves.
    ref = models.CharField(_("asked for by"), max_length=40, blank=True, db_index=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CommandStatus.choices, default=CommandStatus.PENDING
    )
    fault_code = models.CharField(_("fault / rejection"), max_length=40, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A sender's lease: another sender skips the row until it passes (a dead worker's claim expires).
    claimed_until = models.DateTimeField(null=True, blank=True)
    lift = models.PositiveSmallIntegerField(_("lift"), null=True, blank=True)
    estimate_s = models.FloatField(_("estimate (tower s)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("first acknowledged"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        db_table = "fleet_towercommand"
        verbose_name = _("tower command")
        verbose_name_plural = _("tower commands")
        constraints = [
            models.UniqueConstraint(fields=["vehicle"], condition=OPEN, name="towercommand_one_open_per_car"),
            models.UniqueConstraint(
                fields=["source_bay"], condition=OPEN, name="towercommand_one_open_per_source"
            ),
            models.UniqueConstraint(
                fields=["target_bay"], condition=OPEN, name="towercommand_one_open_per_target"
            ),
            models.CheckConstraint(
                condition=~Q(source_bay=models.F("target_bay")), name="towercommand_moves_somewhere"
            ),
            models.CheckConstraint(condition=Q(priority__lte=9), name="towercommand_priority_0_9"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="towercommand_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.vin} {self.source_bay.code}→{self.target_bay.code}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_reissuable(self) -> bool:
        """Aborted for a reason that says nothing about the move: asking again is safe."""
        return self.status == CommandStatus.ABORTED and self.fault_code in REISSUE_FAULTS


class TowerLink(models.Model):
    """What we know of one tower's controller: its mode, and how far its event log is applied.

    ``applied_seq`` is the highest seq applied with every lower seq applied too; events above it
    wait in the inbox until the gap is filled. ``epoch`` counts journal resets (a controller
    started with a fresh state directory): seqs restart at 1 in a new epoch.
    """

    tower = models.OneToOneField(
        "fleet.Tower", on_delete=models.CASCADE, primary_key=True, related_name="link"
    )
    epoch = models.PositiveIntegerField(default=1)
    applied_seq = models.PositiveBigIntegerField(default=0)
    mode = models.CharField(_("controller mode"), max_length=8, default="unknown")
    mode_reason = models.CharField(max_length=200, blank=True)
    speed = models.FloatField(_("time scale"), default=1.0)
    lifts_busy = models.PositiveSmallIntegerField(default=0)
    reachable = models.BooleanField(default=False)
    inventory_loaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "fleet_towerlink"
        verbose_name = _("tower controller link")
        verbose_name_plural = _("tower controller links")

    def __str__(self) -> str:
        return f"{self.tower_id}: {self.mode} @ {self.epoch}/{self.applied_seq}"


class TowerEvent(models.Model):
    """The inbox: one row per event of a tower's log, unique per (tower, epoch, seq).

    The unique constraint makes a duplicate delivery a no-op; ``applied_at`` says the event's
    effects are in our database (set in the same transaction as those effects).
    """

    tower = models.ForeignKey("fleet.Tower", on_delete=models.CASCADE, related_name="events")
    epoch = models.PositiveIntegerField(default=1)
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=20)
    command_uuid = models.UUIDField(null=True, blank=True, db_index=True)
    command = models.ForeignKey(
        TowerCommand, on_delete=models.SET_NULL, null=True, blank=True, related_name="events"
    )
    payload = models.JSONField()
    via = models.CharField(max_length=8, default="webhook")  # webhook | poll
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tower", "epoch", "seq"]
        db_table = "fleet_towerevent"
        verbose_name = _("tower event")
        verbose_name_plural = _("tower events")
        constraints = [
            models.UniqueConstraint(fields=["tower", "epoch", "seq"], name="towerevent_once_per_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.tower_id}#{self.seq} {self.kind}"


class IncidentKind(models.TextChoices):
    INVENTORY_MISMATCH = "inventory", _("Inventory mismatch")
    ESTOP = "estop", _("Emergency stop")
    HOLD = "hold", _("Tower on hold")
    COMMAND_FAILED = "command", _("Command failed")
    UNREACHABLE = "unreachable", _("Controller unreachable")
    UNKNOWN_EVENT = "unknown", _("Event we cannot place")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class TowerIncident(models.Model):
    """Something staff must look at. Raised by the integration, never fixed silently by it."""

    tower = models.ForeignKey("fleet.Tower", on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("kind"), max_length=12, choices=IncidentKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    summary = models.CharField(_("summary"), max_length=200)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    command = models.ForeignKey(
        TowerCommand, on_delete=models.SET_NULL, null=True, blank=True, related_name="incidents"
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        db_table = "fleet_towerincident"
        verbose_name = _("tower incident")
        verbose_name_plural = _("tower incidents")
        indexes = [models.Index(fields=["tower", "status"], name="towerincident_open")]

    def __str__(self) -> str:
        return f"{self.tower_id}: {self.summary}"
