"""What the console's member and booking pages show (selectors; nothing written).

The booking's timeline is one list: its own transitions (django-fsm-log: who, why) and the
console's claims and actions on it (``AuditEntry``), oldest first. Face attempts are numbers only
(distance, threshold, decision): the frames are never read here."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone

from biometrics.models import FaceTemplate, VerificationAttempt
from biometrics.selectors import FaceStatus, face_status
from fleet.models import Store
from members.models import BlacklistEntry, Member
from ops.models import AuditEntry
from testdrives.models import IdCheck, OrderStatus, Payment, PaymentStatus, PurchaseOrder, TestDrive
from testdrives.selectors import testdrive_timeline
from testdrives.services.tower_moves import testdrive_ref
from tower.models import TowerCommand

OPEN_PAYMENTS = [PaymentStatus.PENDING, PaymentStatus.FAILED]
# A stow that puts a booking's car back is asked without the booking's ref: commands of the car
# from the booking's creation until this long after it ended count as the booking's too.
AFTER_THE_END = timedelta(hours=1)


@dataclass(frozen=True)
class TimelineRow:
    at: datetime
    what: str
    by: User | None
    why: str
    console: bool  # an operator's claim or action in the console, not a transition


@dataclass(frozen=True)
class FaceAttemptRow:
    """One face check's numbers: never the frames, only whether some are kept for a dispute."""

    at: datetime
    result: str
    result_label: str
    reason: str
    distance: float | None
    threshold: float | None
    model: str
    liveness: dict[str, Any]
    frames_kept: bool


def _attempts(test_drive: TestDrive) -> list[FaceAttemptRow]:
    attempts = VerificationAttempt.objects.filter(test_drive=test_drive).order_by("created_at", "pk")
    return [
        FaceAttemptRow(
            at=a.created_at,
            result=a.result,
            result_label=str(a.get_result_display()),
            reason=a.reason,
            distance=a.distance,
            threshold=a.threshold,
            model=a.model,
            liveness=a.liveness,
            frames_kept=a.disputed and bool(a.frames),
        )
        for a in attempts
    ]


def booking_timeline(*, test_drive: TestDrive) -> list[TimelineRow]:
    """The booking's transitions and the console's claims and actions on it, oldest first."""
    rows = [
        TimelineRow(
            at=step["at"],
            what=str(step["to_label"]),
            by=step["by"],
            why=step["description"],
            console=False,
        )
        for step in testdrive_timeline(test_drive=test_drive)
    ]
    entries = AuditEntry.objects.filter(test_drive=test_drive).select_related("by")
    rows += [TimelineRow(at=e.at, what=e.label, by=e.by, why=e.reason, console=True) for e in entries]
    return sorted(rows, key=lambda row: row.at)


def booking_commands(*, test_drive: TestDrive) -> QuerySet[TowerCommand]:
    until = (test_drive.finished_at or timezone.now()) + AFTER_THE_END
    of_the_car = Q(
        vehicle_id=test_drive.vehicle_id, created_at__gte=test_drive.created_at, created_at__lte=until
    )
    return (
        TowerCommand.objects.filter(Q(ref=testdrive_ref(test_drive.pk)) | of_the_car)
        .select_related("source_bay", "target_bay", "created_by")
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class BookingPage:
    td: TestDrive
    timeline: list[TimelineRow]
    attempts: list[FaceAttemptRow]
    id_checks: list[IdCheck]
    commands: list[TowerCommand]
    payments: list[Payment]
    photos: list[Any]
    pickup_photos: list[Any]

    @property
    def km_driven(self) -> int | None:
        if self.td.odometer_in_km is None or self.td.odometer_out_km is None:
            return None
        return self.td.odometer_in_km - self.td.odometer_out_km


def booking_page(*, test_drive: TestDrive) -> BookingPage:
    return BookingPage(
        td=test_drive,
        timeline=booking_timeline(test_drive=test_drive),
        attempts=_attempts(test_drive),
        id_checks=list(IdCheck.objects.filter(test_drive=test_drive).select_related("decided_by")),
        commands=list(booking_commands(test_drive=test_drive)),
        payments=list(test_drive.payments.order_by("created_at", "pk")),
        photos=list(test_drive.return_photos.order_by("created_at", "pk")),
        pickup_photos=list(test_drive.pickup_photos.order_by("created_at", "pk")),
    )


@dataclass(frozen=True)
class MemberPage:
    member: Member
    drives: list[TestDrive]
    face: FaceStatus
    template_model: str | None  # the model that made the member's template (None: no template)
    current_model: str
    open_fees: list[Payment]
    audit: list[AuditEntry]
    blacklist: list[BlacklistEntry]

    @property
    def must_reenrol(self) -> bool:
        return self.template_model is not None and self.template_model != self.current_model


def member_page(*, member: Member) -> MemberPage:
    drives = member.test_drives.select_related("store", "car_model__brand").order_by("-slot_start", "-pk")
    fees = Payment.objects.filter(test_drive__member=member, status__in=OPEN_PAYMENTS).select_related(
        "test_drive"
    )
    audit = AuditEntry.objects.filter(test_drive__member=member).select_related("by", "test_drive")
    return MemberPage(
        member=member,
        drives=list(drives),
        face=face_status(member=member),
        template_model=FaceTemplate.objects.filter(member=member).values_list("model", flat=True).first(),
        current_model=settings.BIOMETRICS_MODEL,
        open_fees=list(fees.order_by("created_at")),
        audit=list(audit[:200]),
        blacklist=list(
            BlacklistEntry.objects.filter(member=member).select_related("created_by", "lifted_by")
        ),
    )


def orders_open(*, stores: list[Store] | None = None) -> list[PurchaseOrder]:
    """Purchase orders not yet handed over (in ``stores``, or all), the longest unchanged first:
    the paperwork an operator moves on from the console."""
    orders = PurchaseOrder.objects.exclude(status=OrderStatus.HANDED_OVER).select_related(
        "member", "test_drive__store", "test_drive__car_model__brand", "vehicle"
    )
    if stores is not None:
        orders = orders.filter(test_drive__store__in=stores)
    return list(orders.order_by("updated_at", "pk"))
