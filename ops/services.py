"""What operators do from the console. Each action calls the store's own service (testdrives), and
records who did it, when and why (``AuditEntry``); the booking's own transition log has the same
``by`` and reason, so the booking's timeline shows it too."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ops.models import AuditEntry, QueueItem, QueueKind
from ops.queues import Need
from testdrives.models import IdCheck, TestDrive
from testdrives.services.idcheck import idcheck_approve, idcheck_refuse
from testdrives.services.lifecycle import testdrive_dispatch_retry, testdrive_inspect, testdrive_unlock
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
    by: AbstractBaseUser,
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


def queue_item_claim(*, need: Need, by: AbstractBaseUser) -> QueueItem:
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


def queue_item_release(*, need: Need, by: AbstractBaseUser) -> bool:
    """Give a claim back (mine only); False when I did not hold it."""
    released = QueueItem.objects.filter(
        kind=need.kind, key=need.key, closed_at__isnull=True, claimed_by_id=by.pk
    ).update(claimed_by=None, claimed_at=None)
    if released:
        audit_record(by=by, action="release", test_drive=need.test_drive, kind=need.kind, key=need.key)
    return bool(released)


def _guard_claim(*, kind: str, key: str, by: AbstractBaseUser) -> None:
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


def ops_idcheck_approve(*, id_check: IdCheck | int, by: AbstractBaseUser, reason: str = "") -> IdCheck:
    key = str(id_check if isinstance(id_check, int) else id_check.pk)
    _guard_claim(kind=QueueKind.ID_CHECK, key=key, by=by)
    with transaction.atomic():
        check = idcheck_approve(id_check=id_check, by=by, reason=reason)
        audit_record(
            by=by,
            action="id_check_approve",
            reason=reason,
            test_drive=check.test_drive_id,
            kind=QueueKind.ID_CHECK,
            key=key,
        )
        _close(kind=QueueKind.ID_CHECK, key=key)
    return check


def ops_idcheck_refuse(*, id_check: IdCheck | int, by: AbstractBaseUser, reason: str) -> IdCheck:
    key = str(id_check if isinstance(id_check, int) else id_check.pk)
    _guard_claim(kind=QueueKind.ID_CHECK, key=key, by=by)
    with transaction.atomic():
        check = idcheck_refuse(id_check=id_check, by=by, reason=reason)
        audit_record(
            by=by,
            action="id_check_refuse",
            reason=reason,
            test_drive=check.test_drive_id,
            kind=QueueKind.ID_CHECK,
            key=key,
        )
        _close(kind=QueueKind.ID_CHECK, key=key)
    return check


def ops_unlock(*, test_drive: TestDrive | int, by: AbstractBaseUser, reason: str) -> TestDrive:
    """Override: a locked booking gets its face attempts back. The reason is required."""
    if not reason.strip():
        raise OverrideNeedsReason()
    key = str(test_drive if isinstance(test_drive, int) else test_drive.pk)
    _guard_claim(kind=QueueKind.LOCKED, key=key, by=by)
    with transaction.atomic():
        td = testdrive_unlock(test_drive=test_drive, by=by, reason=reason.strip())
        audit_record(by=by, action="unlock", reason=reason, test_drive=td, kind=QueueKind.LOCKED, key=key)
        _close(kind=QueueKind.LOCKED, key=key)
    return td


def ops_dispatch_retry(*, test_drive: TestDrive | int, by: AbstractBaseUser, reason: str) -> TestDrive:
    """Override: ask the tower again for a car it could not bring. The reason is required."""
    if not reason.strip():
        raise OverrideNeedsReason()
    key = str(test_drive if isinstance(test_drive, int) else test_drive.pk)
    _guard_claim(kind=QueueKind.DISPATCH_FAILED, key=key, by=by)
    with transaction.atomic():
        td = testdrive_dispatch_retry(test_drive=test_drive, by=by)
        audit_record(
            by=by,
            action="dispatch_retry",
            reason=reason,
            test_drive=td,
            kind=QueueKind.DISPATCH_FAILED,
            key=key,
        )
        _close(kind=QueueKind.DISPATCH_FAILED, key=key)
    return td


def ops_return_review(*, test_drive: TestDrive | int, by: AbstractBaseUser, notes: str) -> TestDrive:
    """The returned car was reviewed (photos and readings): the drive completes, the car is stowed."""
    key = str(test_drive if isinstance(test_drive, int) else test_drive.pk)
    _guard_claim(kind=QueueKind.RETURN_REVIEW, key=key, by=by)
    with transaction.atomic():
        td = testdrive_inspect(test_drive=test_drive, by=by, notes=notes.strip())
        audit_record(
            by=by, action="return_review", reason=notes, test_drive=td, kind=QueueKind.RETURN_REVIEW, key=key
        )
        _close(kind=QueueKind.RETURN_REVIEW, key=key)
    return td
