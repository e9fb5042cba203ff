"""Test-drive bookings: the state machine, pickup windows, payments, purchases.

A booking holds its car through fleet's reservation calendar (``fleet.models.VehicleHold``).

State changes go through ``TestDrive``'s transition methods, called only by
``testdrives.services``; ``protected=True`` refuses any direct assignment, and
``ConcurrentTransitionMixin`` refuses to save a transition over a state changed meanwhile.
Every transition is logged by django-fsm-log (who, when, why).
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from vendingstore.private_files import private_storage


class State(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CHECKED_IN = "checked_in", _("Checked in")
    VERIFYING = "verifying", _("Verifying identity")
    VERIFIED = "verified", _("Identity verified")
    DISPATCHING = "dispatching", _("Car on its way")
    READY = "ready", _("Car ready at the bay")
    # A context: the catalogue's "On the road" (price) is another phrase in Chinese (落地价).
    ON_DRIVE = "on_drive", pgettext_lazy("booking state", "On the road")
    RETURNED = "returned", _("Returned")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Missed (no-show)")
    LOCKED = "locked", _("Locked for staff review")
    DISPATCH_FAILED = "dispatch_failed", _("Tower fault")
    OVERDUE = "overdue", _("Overdue")
    PURCHASED = "purchased", _("Purchased")


S = State
# Before the car leaves the delivery bay: the member may still be turned away or cancel.
BEFORE_DEPARTURE = [
    S.SCHEDULED,
    S.CHECKED_IN,
    S.VERIFYING,
    S.VERIFIED,
    S.DISPATCHING,
    S.READY,
    S.LOCKED,
    S.DISPATCH_FAILED,
]
# The quota's "active" drive: booked or out, not yet finished.
ACTIVE = [*BEFORE_DEPARTURE, S.ON_DRIVE, S.OVERDUE]
FINISHED = [S.COMPLETED, S.CANCELLED, S.NO_SHOW, S.PURCHASED]
STAFF_CANCELLABLE = BEFORE_DEPARTURE
PURCHASABLE = [S.ON_DRIVE, S.OVERDUE, S.RETURNED]
# Reviewed by staff: still buyable for TESTDRIVE_BUY_AFTER_RETURN_DAYS after the return
# (testdrives.services.purchase.testdrive_buyable).
PURCHASABLE_AFTER_REVIEW = [S.COMPLETED]
# A member missed the drive: never came (scheduled), or checked in and left before driving off.
# Locked and the tower's states are not here: staff decide those.
MISSABLE = [S.SCHEDULED, S.CHECKED_IN, S.VERIFYING, S.READY]
# "Car wanted": the states in which the booking's car may come to a delivery bay, from check-in
# (early retrieve, while the identity is checked) to dispatching (verified: ready on arrival).
CAR_WANTED = [S.CHECKED_IN, S.VERIFYING, S.VERIFIED, S.LOCKED, S.DISPATCHING]
# Of those, the ones in which the customer is still at the kiosk: their car is sent for again
# while their window lasts (locked is staff's to decide; dispatching is sent for regardless).
CAR_WANTED_AT_KIOSK = [S.CHECKED_IN, S.VERIFYING, S.VERIFIED]


class TestDrive(ConcurrentTransitionMixin, models.Model):
    """One booking: a member, one specific vehicle, a pickup window and the drive that follows."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="test_drives")
    vehicle = models.ForeignKey("fleet.Vehicle", on_delete=models.PROTECT, related_name="test_drives")
    car_model = models.ForeignKey("fleet.CarModel", on_delete=models.PROTECT, related_name="+")
    paint = models.ForeignKey("fleet.Paint", on_delete=models.PROTECT, related_name="+")
    store = models.ForeignKey("fleet.Store", on_delete=models.PROTECT, related_name="test_drives")
    state = FSMField(_("state"), default=S.SCHEDULED, choices=State.choices, protected=True, db_index=True)

    slot_start = models.DateTimeField(_("pickup window starts"))
    slot_end = models.DateTimeField(_("pickup window ends"))
    departed_at = models.DateTimeField(_("left the delivery bay"), null=True, blank=True)
    due_back_at = models.DateTimeField(_("due back"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    delivery_bay = models.ForeignKey(
        "fleet.Bay",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("delivery bay"),
    )

    pickup_code = models.CharField(_("pickup code"), max_length=12, unique=True)
    return_code = models.CharField(_("return code"), max_length=12, unique=True, null=True, blank=True)
    # A booking made twice by a double click or a retried request is the same booking.
    request_key = models.UUIDField(null=True, blank=True, editable=False)
    # The drive this one continues in another car (docs/EXTEND-AND-SWAP.md): picked up at the kiosk
    # right after the first car's return, due back when the first one was. One live swap per
    # drive (``testdrive_one_swap_per_drive``).
    swap_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="swaps",
        verbose_name=_("swapped from"),
    )

    fee_cny = models.PositiveIntegerField(_("test-drive fee (CNY)"), default=0)
    late_fee_cny = models.PositiveIntegerField(_("late fee (CNY)"), default=0)
    identity_method = models.CharField(_("identity checked by"), max_length=8, blank=True)
    odometer_out_km = models.PositiveIntegerField(null=True, blank=True)
    odometer_in_km = models.PositiveIntegerField(null=True, blank=True)
    energy_out_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    energy_in_pct = models.PositiveSmallIntegerField(null=True, blank=True)
    damage_noted = models.TextField(_("damage noted at return"), blank=True)
    # The member walked out of the delivery bay after the return (its gate closed with the car
    # inside, or the return itself where the tower reports no gate): the tower may stow the car.
    bay_left_at = models.DateTimeField(_("member left the bay"), null=True, blank=True)
    # The member said "I'm at the store" from their phone (testdrives.services.arrival): until
    # they check in, or TESTDRIVE_ARRIVAL_VALID_MINUTES pass, the tower holds background moves
    # back so a lift is free for their car (tower.arrival_gate). The latest announcement counts.
    arriving_at = models.DateTimeField(_("member announced arrival"), null=True, blank=True)
    inspection_notes = models.TextField(_("inspection notes"), blank=True)
    # An overdue car an operator reported as not returned (to the police or the insurer): it
    # leaves the console's overdue queue; the return still works as usual.
    reported_missing_at = models.DateTimeField(_("reported as not returned"), null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-slot_start"]
        verbose_name = _("test drive")
        verbose_name_plural = _("test drives")
        constraints = [
            models.UniqueConstraint(fields=["member", "request_key"], name="testdrive_request_once"),
            # One swap per drive; a swap cancelled before its pickup may be asked for again.
            models.UniqueConstraint(
                fields=["swap_of"],
                condition=Q(swap_of__isnull=False) & ~Q(state="cancelled"),
                name="testdrive_one_swap_per_drive",
            ),
            models.CheckConstraint(condition=~Q(swap_of=F("pk")), name="testdrive_swap_not_itself"),
            models.CheckConstraint(condition=Q(slot_end__gt=F("slot_start")), name="testdrive_slot_positive"),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("departed_at")),
                name="testdrive_return_after_departure",
            ),
            models.CheckConstraint(
                condition=Q(energy_in_pct__lte=100) | Q(energy_in_pct__isnull=True),
                name="testdrive_energy_in_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "slot_start"], name="testdrive_store_slot"),
            models.Index(fields=["state", "due_back_at"], name="testdrive_state_due"),
            # The admin's default order (the changelist adds -pk): the newest page without a sort.
            models.Index(fields=["-slot_start", "-id"], name="testdrive_slot_newest"),
            # sweep_lost_messages, every minute: the few bookings waiting for the instant dispatcher.
            models.Index(
                fields=["updated_at"], condition=Q(state="dispatching"), name="testdrive_updated_dispatching"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pickup_code} ({self.get_state_display()})"

    # --- transitions: state and guards only; services do the rest (STYLE.md §2) ------------

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.SCHEDULED, target=S.CHECKED_IN)
    def check_in(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.CHECKED_IN, target=S.VERIFYING)
    def start_verification(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.VERIFYING, target=S.CHECKED_IN)
    def retry_verification(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[S.CHECKED_IN, S.VERIFYING, S.LOCKED], target=S.VERIFIED)
    def verify(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.VERIFYING, target=S.LOCKED)
    def lock(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.LOCKED, target=S.CHECKED_IN)
    def unlock(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[S.VERIFIED, S.DISPATCH_FAILED], target=S.DISPATCHING)
    def dispatch(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.DISPATCHING, target=S.READY)
    def arrive(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.DISPATCHING, target=S.DISPATCH_FAILED)
    def fail_dispatch(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.READY, target=S.ON_DRIVE)
    def depart(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.ON_DRIVE, target=S.OVERDUE)
    def mark_overdue(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[S.ON_DRIVE, S.OVERDUE], target=S.RETURNED)
    def take_back(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.RETURNED, target=S.COMPLETED)
    def complete(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=[*PURCHASABLE, *PURCHASABLE_AFTER_REVIEW], target=S.PURCHASED)
    def purchase(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=STAFF_CANCELLABLE, target=S.CANCELLED)
    def cancel(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=MISSABLE, target=S.NO_SHOW)
    def miss(self, *, by: User | None = None, description: str = "") -> None: ...


class PickupWindow(models.Model):
    """How many pickups a store has booked in one window; claimed with a conditional UPDATE."""

    store = models.ForeignKey("fleet.Store", on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store", "starts_at"], name="pickupwindow_unique"),
            models.CheckConstraint(condition=Q(booked__gte=0), name="pickupwindow_booked_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.starts_at:%Y-%m-%d %H:%M}: {self.booked}"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")
    WAIVED = "waived", _("Waived")


# Late-fee payments that count towards what the member owes: asked, taken, declined or forgiven
# (expired and refunded ones do not).
LATE_FEE_COUNTED = [PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.FAILED, PaymentStatus.WAIVED]


class PaymentPurpose(models.TextChoices):
    TEST_DRIVE_FEE = "fee", _("Test-drive fee")
    LATE_FEE = "late_fee", _("Late fee")
    EXTENSION = "extension", _("Extension fee")
    PURCHASE = "purchase", _("Purchase")
    RETURN_CHARGE = "charge", _("Damage or excess-use charge")


class Payment(models.Model):
    """Money asked of a member through the payment provider; its reference is the idempotency key."""

    test_drive = models.ForeignKey(TestDrive, on_delete=models.PROTECT, related_name="payments")
    purpose = models.CharField(max_length=10, choices=PaymentPurpose.choices)
    amount_cny = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING)
    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=64, unique=True)
    provider_reference = models.CharField(max_length=64, blank=True)
    # Charges sent to the provider; an operator's retry is a new attempt with its own key
    # (``reference``-r<n>), since a provider answers a repeated key with the first answer.
    attempts = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cny__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["test_drive", "purpose"], condition=Q(purpose="fee"), name="payment_one_fee_per_drive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_cny} CNY {self.status}"


class Extension(models.Model):
    """The member kept the car longer: the due-back time moved from ``due_before`` to ``due_after``
    and the car's hold with it. ``fee_cny`` is charged through ``payment``; an extension whose
    payment failed is undone (``status`` failed) and no longer counts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        DONE = "done", _("Done")
        FAILED = "failed", _("Payment failed: not extended")

    test_drive = models.ForeignKey(TestDrive, on_delete=models.PROTECT, related_name="extensions")
    # A double click or a retried request is the same extension.
    request_key = models.UUIDField(editable=False)
    hours = models.PositiveSmallIntegerField(_("hours"))
    due_before = models.DateTimeField(_("due back before"))
    due_after = models.DateTimeField(_("due back after"))
    # Where the car's hold ended before, to put it back if the payment fails.
    hold_ended_before = models.DateTimeField(editable=False)
    fee_cny = models.PositiveIntegerField(_("fee (CNY)"), default=0)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="extension"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(fields=["test_drive", "request_key"], name="extension_request_once"),
            models.CheckConstraint(condition=Q(due_after__gt=F("due_before")), name="extension_moves_later"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="extension_hours_positive"),
            models.CheckConstraint(
                condition=Q(fee_cny=0) | Q(payment__isnull=False), name="extension_fee_has_payment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.test_drive_id} +{self.hours} h ({self.status})"


class PurchaseMethod(models.TextChoices):
    FULL = "full", _("Pay in full")
    FINANCED = "financed", _("Down payment and financing")


class OrderStatus(models.TextChoices):
    """After the sale: the steps a bought car goes through before it is the member's on the road."""

    PAID = "paid", _("Paid")
    CONTRACT_SIGNED = "contract_signed", _("Contract signed")
    INVOICED = "invoiced", _("Invoice (fapiao) issued")
    REGISTERED = "registered", _("Registered, plates issued")
    READY = "ready", _("Ready for handover")
    HANDED_OVER = "handed_over", _("Handed over")


class Handover(models.TextChoices):
    PICKUP = "pickup", _("Pickup at the store")
    DELIVERY = "delivery", _("Delivery to the member")


# Transition conditions get the instance typed as any model.
def _has_invoice_number(order: models.Model) -> bool:
    return bool(getattr(order, "invoice_number", ""))


def _has_plate_number(order: models.Model) -> bool:
    return bool(getattr(order, "plate_number", ""))


class PurchaseOrder(ConcurrentTransitionMixin, models.Model):
    """The member buys the car they test-drove: one order per booking, the vehicle becomes sold.

    Then the order goes through the paperwork (``status``), advanced by operators through
    ``testdrives.services.purchase_order``; the member follows it on the purchase page."""

    test_drive = models.OneToOneField(TestDrive, on_delete=models.PROTECT, related_name="purchase_order")
    vehicle = models.OneToOneField("fleet.Vehicle", on_delete=models.PROTECT, related_name="purchase_order")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="purchase_orders")
    price_cny = models.PositiveIntegerField()
    method = models.CharField(max_length=10, choices=PurchaseMethod.choices)
    down_payment_cny = models.PositiveIntegerField()
    financed_cny = models.PositiveIntegerField(default=0)
    finance_term_months = models.PositiveSmallIntegerField(null=True, blank=True)
    finance_reference = models.CharField(max_length=64, blank=True)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="purchase_order")
    status = FSMField(
        _("status"), default=OrderStatus.PAID, choices=OrderStatus.choices, protected=True, db_index=True
    )
    handover = models.CharField(
        _("handover"), max_length=10, choices=Handover.choices, default=Handover.PICKUP
    )
    invoice_number = models.CharField(_("invoice (fapiao) number"), max_length=32, blank=True)
    plate_number = models.CharField(_("plate number"), max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(down_payment_cny__gt=0) & Q(price_cny=F("down_payment_cny") + F("financed_cny")),
                name="purchase_amounts_add_up",
            ),
            # The paperwork is done in order: no invoice step without its number, no plates without
            # the plate.
            models.CheckConstraint(
                condition=Q(status__in=["paid", "contract_signed"]) | ~Q(invoice_number=""),
                name="purchase_invoiced_has_number",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["paid", "contract_signed", "invoiced"]) | ~Q(plate_number=""),
                name="purchase_registered_has_plate",
            ),
        ]

    def __str__(self) -> str:
        return f"Order {self.pk}: {self.vehicle_id} for {self.price_cny} CNY"

    # --- transitions: one step forward each; the service records the numbers first ----------

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=OrderStatus.PAID, target=OrderStatus.CONTRACT_SIGNED)
    def sign_contract(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.CONTRACT_SIGNED,
        target=OrderStatus.INVOICED,
        conditions=[_has_invoice_number],
    )
    def issue_invoice(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=status,
        source=OrderStatus.INVOICED,
        target=OrderStatus.REGISTERED,
        conditions=[_has_plate_number],
    )
    def register(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=OrderStatus.REGISTERED, target=OrderStatus.READY)
    def make_ready(self, *, by: User | None = None, description: str = "") -> None: ...

    @fsm_log_by
    @fsm_log_description
    @transition(field=status, source=OrderStatus.READY, target=OrderStatus.HANDED_OVER)
    def hand_over(self, *, by: User | None = None, description: str = "") -> None: ...


class CarSide(models.TextChoices):
    FRONT = "front", pgettext_lazy("car side", "Front")
    BACK = "back", pgettext_lazy("car side", "Back")
    LEFT = "left", pgettext_lazy("car side", "Left side")
    RIGHT = "right", pgettext_lazy("car side", "Right side")


def _random_name(folder: str, filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:5] or ".jpg"
    return f"{folder}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def return_photo_path(photo: "ReturnPhoto", filename: str) -> str:
    """A random name under the private storage (no URL serves it; the pages show the pictures
    through views that check who asks): nothing about the booking or the upload's name shows."""
    return _random_name("returns", filename)


def pickup_photo_path(photo: "PickupPhoto", filename: str) -> str:
    return _random_name("pickups", filename)


class ReturnPhoto(models.Model):
    """A picture of a returned car: one of the four sides the member must give (``side``; from the
    phone during the drive or the kiosk camera at the return), or any other close-up (no side:
    staff's, or an operator's picture of damage for a charge)."""

    test_drive = models.ForeignKey(TestDrive, on_delete=models.CASCADE, related_name="return_photos")
    image = models.ImageField(upload_to=return_photo_path, storage=private_storage)
    side = models.CharField(_("side"), max_length=5, choices=CarSide.choices, blank=True)
    taken_by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.test_drive_id}: {self.side or '-'} {self.image.name}"


class PickupPhoto(models.Model):
    """Damage the member found on the car at pickup and reported before driving off (a side, or a
    close-up with no side), within ``TESTDRIVE_PICKUP_PHOTOS_MINUTES`` of leaving the bay: the
    return's review compares with it, so the member is not charged for what was there before."""

    test_drive = models.ForeignKey(TestDrive, on_delete=models.CASCADE, related_name="pickup_photos")
    image = models.ImageField(upload_to=pickup_photo_path, storage=private_storage)
    side = models.CharField(_("side"), max_length=5, choices=CarSide.choices, blank=True)
    note = models.CharField(_("what the member saw"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pickup photo")
        verbose_name_plural = _("pickup photos")

    def __str__(self) -> str:
        return f"{self.test_drive_id}: pickup {self.side or '-'} {self.image.name}"


class ChargeKind(models.TextChoices):
    DAMAGE = "damage", _("Damage")
    EXCESS_USE = "excess", _("Excess use")


class ReturnCharge(models.Model):
    """What an operator's review of a return found to charge the member: damage or excess use,
    with the amount, the reason and the photos that show it. Paid through the payment provider
    (``payment``); the member sees it on the booking page and in the API. One per booking: the
    review that opens it is the one that completes the drive."""

    test_drive = models.OneToOneField(TestDrive, on_delete=models.PROTECT, related_name="return_charge")
    kind = models.CharField(_("kind"), max_length=6, choices=ChargeKind.choices)
    amount_cny = models.PositiveIntegerField(_("amount (CNY)"))
    reason = models.TextField(_("reason"))
    photos = models.ManyToManyField(ReturnPhoto, related_name="+", blank=True, verbose_name=_("photos"))
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="return_charge")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return charge")
        verbose_name_plural = _("return charges")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cny__gt=0), name="returncharge_amount_positive"),
            models.CheckConstraint(condition=~Q(reason=""), name="returncharge_reason_given"),
        ]

    def __str__(self) -> str:
        return f"{self.test_drive_id}: {self.kind} {self.amount_cny} CNY"


class NotificationKind(models.TextChoices):
    BOOKED = "booked", _("Booking confirmed")
    TOMORROW = "tomorrow", _("Pickup tomorrow")
    REMINDER = "reminder", _("Pickup reminder")
    READY = "ready", _("Car ready")
    DUE_SOON = "due_soon", _("Due back soon")
    OVERDUE = "overdue", _("Overdue")
    PURCHASED = "purchased", _("Purchase confirmed")
    ORDER_READY = "order_ready", _("Your car is ready")
    CANCELLED = "cancelled", _("Booking cancelled")
    ABANDONED = "abandoned", _("Test drive missed")
    CHARGED = "charged", _("Charge after your test drive")


class Notification(models.Model):
    """One message to a member about one booking: the in-app list, and what e-mail and SMS carry.

    Unique per booking and kind, so a sweep that runs twice (or twice at once) sends once.
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="notifications")
    test_drive = models.ForeignKey(TestDrive, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["test_drive", "kind"], name="notification_once")]
        indexes = [
            # sweep_lost_messages, every minute: only the few not delivered yet, not the history.
            models.Index(
                fields=["created_at"], condition=Q(delivered_at__isnull=True), name="notification_undelivered"
            ),
            models.Index(fields=["-created_at", "-id"], name="notification_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.test_drive_id} {self.kind}"


class Kiosk(models.Model):
    """A tablet at one store's entrance. It signs in with a token, and only ever acts for its store."""

    store = models.ForeignKey("fleet.Store", on_delete=models.PROTECT, related_name="kiosks")
    name = models.CharField(_("name"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")

    def __str__(self) -> str:
        return f"{self.store}: {self.name}"


class IdCheckStatus(models.TextChoices):
    WAITING = "waiting", _("waiting for the operator")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    CLOSED = "closed", _("closed without a decision")


class IdCheck(models.Model):
    """A remote ID check asked for at a kiosk: pictures of the driving licence, the ID card and a
    live photo, which a remote operator compares with the member's stored details.

    The pictures are names in biometrics' private, encrypted storage (never under MEDIA_ROOT); they
    are deleted when the check is decided or closed, and the names blanked. At most one check per
    booking waits at a time (the database says so)."""

    test_drive = models.ForeignKey(TestDrive, on_delete=models.CASCADE, related_name="id_checks")
    kiosk = models.ForeignKey(Kiosk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(_("why no face check"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IdCheckStatus.choices, default=IdCheckStatus.WAITING
    )
    licence_picture = models.CharField(max_length=100, blank=True, editable=False)
    id_card_picture = models.CharField(max_length=100, blank=True, editable=False)
    live_picture = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("remote ID check")
        verbose_name_plural = _("remote ID checks")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["test_drive"],
                condition=Q(status="waiting"),
                name="idcheck_one_waiting_per_drive",
            ),
            models.CheckConstraint(
                condition=Q(status="waiting") | Q(decided_at__isnull=False),
                name="idcheck_decided_has_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"ID check {self.pk} for {self.test_drive_id} ({self.status})"

    @property
    def picture_names(self) -> list[str]:
        return [n for n in (self.licence_picture, self.id_card_picture, self.live_picture) if n]
