"""What operators do from the console. Each action calls the store's own service (testdrives), and
records who did it, when and why (``AuditEntry``); the booking's own transition log has the same
``by`` and reason, so the booking's timeline shows it too."""

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fleet.models import Tower
from ops.models import AuditEntry, QueueItem, QueueKind
from ops.queues import Need
from testdrives.models import IdCheck, Payment, PurchaseOrder, ReturnCharge, TestDrive
from testdrives.services.charges import payment_retry, payment_waive, testdrive_late_fee_charge
from testdrives.services.idcheck import idcheck_approve, idcheck_refuse
from testdrives.services.lifecycle import testdrive_dispatch_retry, testdrive_unlock
from testdrives.services.operator import (
    testdrive_overdue_remind,
    testdrive_overdue_report,
    testdrive_walked_away_release,
)
from testdrives.services.purchase_order import purchase_order_advance, purchase_order_handover_set
from testdrives.services.returns import testdrive_bay_clear, testdrive_charge_open, testdrive_review_ok
from tower.incidents import incident_acknowledge, incident_resolve
from tower.models import TowerIncident
from tower.reconcile import tower_clear
from vendingstore.api_errors import ApplicationError


class ClaimedByOther(ApplicationError):
    status_code = 409
    code = "claimed_by_other"
    default_message = _("Another operator is already on it.")


class OverrideNeedsReason(ApplicationError):
    status_code = 400
    code = "reason_required"
    default_message = _("An override needs a reason.")


def audit_record(
    *,
    by: User,
    action: str,
    reason: str = "",
    test_drive: TestDrive | int | None = None,
    kind: str = "",
    key: str = "",
) -> AuditEntry:
    td_id = test_drive if test_drive is None or isinstance(test_drive, int) else test_drive.pk
    return AuditEntry.objects.create(
        by_id=by.pk, action=action, reason=reason, test_drive_id=td_id, item_kind=kind, item_key=key
    )


def queue_item_for(*, need: Need) -> QueueItem:
    """The open row of this need, created on first use (a claim or an alert). Two callers racing
    both end with the same row: the unique open (kind, key) lets one insert win."""
    defaults = {"store": need.store, "title": need.subject[:200], "opened_at": need.since}
    try:
        with transaction.atomic():
            item, _created = QueueItem.objects.get_or_create(
                kind=need.kind, key=need.key, closed_at__isnull=True, defaults=defaults
            )
    except IntegrityError:
        item = QueueItem.objects.get(kind=need.kind, key=need.key, closed_at__isnull=True)
    return item


def queue_item_claim(*, need: Need, by: User) -> QueueItem:
    """ "I'm on it": only one operator holds an item. The claim is a conditional UPDATE (unclaimed,
    or already mine), so of two operators clicking at once exactly one wins; the other gets 409."""
    item = queue_item_for(need=need)
    won = QueueItem.objects.filter(pk=item.pk, closed_at__isnull=True, claimed_by__isnull=True).update(
        claimed_by_id=by.pk, claimed_at=timezone.now()
    )
    item.refresh_from_db()
    if not won and item.claimed_by_id != by.pk:
        raise ClaimedByOther()
    if won:
        audit_record(by=by, action="claim", test_drive=need.test_drive, kind=need.kind, key=need.key)
    return item


def queue_item_release(*, need: Need, by: User) -> bool:
    """Give a claim back (mine only); False when I did not hold it."""
    released = QueueItem.objects.filter(
        kind=need.kind, key=need.key, closed_at__isnull=True, claimed_by_id=by.pk
    ).update(claimed_by=None, claimed_at=None)
    if released:
        audit_record(by=by, action="release", test_drive=need.test_drive, kind=need.kind, key=need.key)
    return bool(released)


def _guard_claim(*, kind: str, key: str, by: User) -> None:
    """An item someone else claimed is theirs to act on."""
    if (
        QueueItem.objects.filter(kind=kind, key=key, closed_at__isnull=True)
        .exclude(claimed_by=None)
        .exclude(claimed_by_id=by.pk)
        .exists()
    ):
        raise ClaimedByOther()


def _close(*, kind: str, key: str) -> None:
    QueueItem.objects.filter(kind=kind, key=key, closed_at__isnull=True).update(closed_at=timezone.now())


Done = TypeVar("Done")


def _pk(obj: Model | int) -> str:
    return str(obj if isinstance(obj, int) else obj.pk)


def _booking_of(done: object) -> TestDrive | int | None:
    """The booking an action's result belongs to, for the audit (a check or payment names it)."""
    if isinstance(done, TestDrive):
        return done
    booking = getattr(done, "test_drive_id", None)
    return booking if isinstance(booking, int) else None


def _act(
    *, kind: str, key: str, by: User, action: str, reason: str, run: Callable[[], Done], close: bool = True
) -> Done:
    """The shape of every console action: refused when another operator holds the item; else the
    store's service runs and is audited (who, what, why), in one transaction. ``close``: the
    action settles the item; an action that does not (a reminder, a charge tried again, an
    incident acknowledged) leaves it open, and it closes by itself once the need is gone
    (``ops.alerts``), so it is not alerted again as new."""
    _guard_claim(kind=kind, key=key, by=by)
    with transaction.atomic():
        done = run()
        audit_record(by=by, action=action, reason=reason, test_drive=_booking_of(done), kind=kind, key=key)
        if close:
            _close(kind=kind, key=key)
    return done


def _override_reason(reason: str) -> str:
    if not reason.strip():
        raise OverrideNeedsReason()
    return reason.strip()


def ops_idcheck_approve(*, id_check: IdCheck | int, by: User, reason: str = "") -> IdCheck:
    return _act(
        kind=QueueKind.ID_CHECK,
        key=_pk(id_check),
        by=by,
        action="id_check_approve",
        reason=reason,
        run=lambda: idcheck_approve(id_check=id_check, by=by, reason=reason),
    )


def ops_idcheck_refuse(*, id_check: IdCheck | int, by: User, reason: str) -> IdCheck:
    return _act(
        kind=QueueKind.ID_CHECK,
        key=_pk(id_check),
        by=by,
        action="id_check_refuse",
        reason=reason,
        run=lambda: idcheck_refuse(id_check=id_check, by=by, reason=reason),
    )


def ops_unlock(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """Override: a locked booking gets its face attempts back. The reason is required."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.LOCKED,
        key=_pk(test_drive),
        by=by,
        action="unlock",
        reason=reason,
        run=lambda: testdrive_unlock(test_drive=test_drive, by=by, reason=why),
    )


def ops_dispatch_retry(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """Override: ask the tower again for a car it could not bring. The reason is required."""
    _override_reason(reason)
    return _act(
        kind=QueueKind.DISPATCH_FAILED,
        key=_pk(test_drive),
        by=by,
        action="dispatch_retry",
        reason=reason,
        run=lambda: testdrive_dispatch_retry(test_drive=test_drive, by=by),
    )


def ops_return_review(*, test_drive: TestDrive | int, by: User, notes: str = "") -> TestDrive:
    """ "OK": the returned car's photos and readings show nothing to charge; the drive completes.
    (The tower stowed the car when the member left the bay, or does so then.)"""
    return _act(
        kind=QueueKind.RETURN_REVIEW,
        key=_pk(test_drive),
        by=by,
        action="return_ok",
        reason=notes.strip(),
        run=lambda: testdrive_review_ok(test_drive=test_drive, by=by, notes=notes),
    )


def ops_return_charge(
    *,
    test_drive: TestDrive | int,
    by: User,
    kind: str,
    amount_cny: int,
    reason: str,
    photo_ids: list[int] | None = None,
    photos: list[UploadedFile] | None = None,
) -> ReturnCharge:
    """ "Damage / excess use": the drive completes with a charge the member sees (amount, reason,
    photos), paid through the payment provider. The reason is required and audited."""
    why = reason.strip()  # required: the service refuses a charge without one
    done = _act(
        kind=QueueKind.RETURN_REVIEW,
        key=_pk(test_drive),
        by=by,
        action="return_charge",
        reason=f"{amount_cny} CNY {kind}: {why}",
        run=lambda: (
            testdrive_charge_open(
                test_drive=test_drive,
                by=by,
                kind=kind,
                amount_cny=amount_cny,
                reason=why,
                photo_ids=photo_ids,
                photos=photos,
            ).test_drive
        ),
    )
    return ReturnCharge.objects.get(test_drive=done)


# --- cars overdue -----------------------------------------------------------------------------


def ops_overdue_remind(*, test_drive: TestDrive | int, by: User, reason: str = "") -> TestDrive:
    """Send the member the overdue message again; the item stays open (the car is still out)."""
    return _act(
        kind=QueueKind.OVERDUE,
        key=_pk(test_drive),
        by=by,
        action="overdue_remind",
        reason=reason.strip(),
        run=lambda: testdrive_overdue_remind(test_drive=test_drive),
        close=False,
    )


def ops_late_fee_charge(*, test_drive: TestDrive | int, by: User, reason: str) -> Payment:
    """Override: charge the late fee run up so far before the car is back. The reason is required;
    the item stays open (the car is still out)."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.OVERDUE,
        key=_pk(test_drive),
        by=by,
        action="late_fee_charge",
        reason=why,
        run=lambda: testdrive_late_fee_charge(test_drive=test_drive),
        close=False,
    )


def ops_overdue_report(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """The car was reported as not returned (to whom, and the case number, in the reason)."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.OVERDUE,
        key=_pk(test_drive),
        by=by,
        action="overdue_report",
        reason=why,
        run=lambda: testdrive_overdue_report(test_drive=test_drive, by=by, reason=why),
    )


# --- payments that failed ---------------------------------------------------------------------


def ops_payment_retry(*, payment: Payment | int, by: User, reason: str = "") -> Payment:
    """Try the declined charge again. The item stays open until the payment is taken."""
    return _act(
        kind=QueueKind.PAYMENT_FAILED,
        key=_pk(payment),
        by=by,
        action="payment_retry",
        reason=reason.strip(),
        run=lambda: payment_retry(payment=payment),
        close=False,
    )


def ops_payment_waive(*, payment: Payment | int, by: User, reason: str) -> Payment:
    """Override: the member is not asked for this charge any more. The reason is required."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.PAYMENT_FAILED,
        key=_pk(payment),
        by=by,
        action="payment_waive",
        reason=why,
        run=lambda: payment_waive(payment=payment),
    )


# --- towers -----------------------------------------------------------------------------------


class TowerDidNotClear(ApplicationError):
    status_code = 409
    code = "tower_not_cleared"
    default_message = _("The tower refused or did not answer: it is still stopped.")


def _incident(incident: TowerIncident | int) -> TowerIncident:
    return incident if isinstance(incident, TowerIncident) else TowerIncident.objects.get(pk=incident)


def ops_incident_acknowledge(*, incident: TowerIncident | int, by: User, reason: str = "") -> TowerIncident:
    """Seen and being looked into; the item stays open until the incident is resolved."""
    return _act(
        kind=QueueKind.TOWER,
        key=f"incident-{_pk(incident)}",
        by=by,
        action="incident_acknowledge",
        reason=reason.strip(),
        run=lambda: incident_acknowledge(incident=_incident(incident), by=by),
        close=False,
    )


def ops_incident_resolve(*, incident: TowerIncident | int, by: User, reason: str) -> TowerIncident:
    """The cause is fixed (what was done, in the reason). The tower itself is resumed separately."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.TOWER,
        key=f"incident-{_pk(incident)}",
        by=by,
        action="incident_resolve",
        reason=why,
        run=lambda: incident_resolve(incident=_incident(incident), by=by, resolution=why),
    )


def _resume(tower: Tower, *, by: User, reason: str) -> Tower:
    if not tower_clear(tower=tower, reason=f"{by.get_username()}: {reason}"):
        raise TowerDidNotClear()
    return tower


def ops_tower_resume(*, tower: Tower | int, by: User, reason: str) -> Tower:
    """Override: take a tower out of hold or e-stop (the controller must agree). The reason is
    required; nothing is recorded when the controller refuses."""
    why = _override_reason(reason)
    row = tower if isinstance(tower, Tower) else Tower.objects.get(pk=tower)
    return _act(
        kind=QueueKind.TOWER,
        key=f"mode-{row.pk}",
        by=by,
        action="tower_resume",
        reason=why,
        run=lambda: _resume(row, by=by, reason=why),
    )


# --- check-ins that walked away ----------------------------------------------------------------


def ops_walked_away_release(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """The member never came to the bay: the booking is missed and the car goes back into
    storage, freeing the delivery bay. The reason is required (the member may still be near)."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.WALKED_AWAY,
        key=_pk(test_drive),
        by=by,
        action="walked_away_release",
        reason=why,
        run=lambda: testdrive_walked_away_release(test_drive=test_drive, by=by, reason=why),
    )


# --- bay gates that never closed after a return ---------------------------------------------------


def ops_bay_clear(*, test_drive: TestDrive | int, by: User, reason: str) -> TestDrive:
    """The operator saw on the bay's camera that nobody is inside: the returned car is stowed as
    the gate's closing would have done. The reason (what the camera showed) is required."""
    why = _override_reason(reason)
    return _act(
        kind=QueueKind.GATE_OPEN,
        key=_pk(test_drive),
        by=by,
        action="bay_clear",
        reason=why,
        run=lambda: testdrive_bay_clear(test_drive=test_drive, by=by, reason=why),
    )


# --- purchase orders: the paperwork after a sale ---------------------------------------------------


def _order(order: PurchaseOrder | int) -> PurchaseOrder:
    return order if isinstance(order, PurchaseOrder) else PurchaseOrder.objects.get(pk=order)


def ops_order_advance(
    *, order: PurchaseOrder | int, by: User, invoice_number: str = "", plate_number: str = "", note: str = ""
) -> PurchaseOrder:
    """Mark the order's current step done (the invoice and plate numbers with their steps), audited
    as ``order_<new status>`` with the number recorded and the note. Refused, with nothing
    recorded, when the step lacks its number or the order moved meanwhile."""
    with transaction.atomic():
        done = purchase_order_advance(
            order=_order(order),
            by=by,
            invoice_number=invoice_number,
            plate_number=plate_number,
            note=note.strip(),
        )
        numbers = {"invoiced": done.invoice_number, "registered": done.plate_number}.get(done.status, "")
        reason = " · ".join(part for part in (numbers, note.strip()) if part)
        audit_record(by=by, action=f"order_{done.status}", reason=reason, test_drive=done.test_drive_id)
    return done


def ops_order_handover(*, order: PurchaseOrder | int, by: User, handover: str) -> PurchaseOrder:
    """Pickup at the store or delivery, as agreed with the member; audited."""
    with transaction.atomic():
        done = purchase_order_handover_set(order=_order(order), handover=handover)
        audit_record(
            by=by, action="order_handover", reason=done.get_handover_display(), test_drive=done.test_drive_id
        )
    return done
