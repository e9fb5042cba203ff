"""A member's standing: the stored tier, the blacklist, quota exceptions and recorded drives.

Every change made by staff needs a reason and lands in the member's audit history.
"""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from fleet.models import CarModel
from members.errors import AlreadyBlacklisted, NotBlacklisted
from members.models import (
    AuditAction,
    BlacklistEntry,
    DriveOutcome,
    Member,
    MemberAuditEvent,
    QuotaException,
    RecordedDrive,
)
from members.selectors import member_tier_compute, member_tiers_compute
from members.services.audit import audit_reason_checked, audit_record


def member_tier_refresh(*, member: Member, at: datetime | None = None, actor: User | None = None) -> str:
    """Derive the tier again and store it; a change is audited. Idempotent.

    The stored tier serves lists and filters; booking decisions derive it afresh.
    """
    at = at or timezone.now()
    tier = member_tier_compute(member=member, at=at)
    previous = Member.objects.filter(pk=member.pk).values_list("tier", flat=True).first()
    Member.objects.filter(pk=member.pk).update(tier=tier, tier_evaluated_at=at)
    member.tier, member.tier_evaluated_at = tier, at
    if previous != tier:
        audit_record(
            member=member, action=AuditAction.TIER_CHANGED, actor=actor, data={"from": previous, "to": tier}
        )
    return tier


@transaction.atomic
def member_tiers_refresh(*, members: list[Member], at: datetime | None = None) -> int:
    """``member_tier_refresh`` for a batch (the monthly re-evaluation): the same tiers and the
    same audit events, in a fixed number of queries rather than eight per member.

    ``members`` were read just before; a tier changed meanwhile by a credit check is derived
    again from the same facts, so the stored tier is right either way. Returns how many changed.
    """
    at = at or timezone.now()
    tiers = member_tiers_compute(members=members, at=at)
    by_tier: dict[str, list[int]] = {}
    for member in members:
        by_tier.setdefault(tiers[member.pk], []).append(member.pk)
    for tier, ids in by_tier.items():
        Member.objects.filter(pk__in=ids).update(tier=tier, tier_evaluated_at=at)
    changed = [m for m in members if m.tier != tiers[m.pk]]
    MemberAuditEvent.objects.bulk_create(
        MemberAuditEvent(member=m, action=AuditAction.TIER_CHANGED, data={"from": m.tier, "to": tiers[m.pk]})
        for m in changed
    )
    for member in members:
        member.tier, member.tier_evaluated_at = tiers[member.pk], at
    return len(changed)


@transaction.atomic
def member_blacklist(*, member: Member, actor: User, reason: str) -> BlacklistEntry:
    """Bar the member from new bookings, at once: eligibility reads the open entry."""
    reason = audit_reason_checked(reason)
    try:
        with transaction.atomic():
            entry = BlacklistEntry.objects.create(member=member, reason=reason, created_by=actor)
    except IntegrityError:
        # The database allows one open entry per member; a second staff member was faster.
        raise AlreadyBlacklisted() from None
    audit_record(member=member, action=AuditAction.BLACKLISTED, actor=actor, reason=reason)
    member_tier_refresh(member=member, actor=actor)
    return entry


@transaction.atomic
def member_blacklist_lift(*, member: Member, actor: User, reason: str) -> BlacklistEntry:
    reason = audit_reason_checked(reason)
    entry = BlacklistEntry.objects.select_for_update().filter(member=member, lifted_at__isnull=True).first()
    if entry is None:
        raise NotBlacklisted()
    entry.lifted_at, entry.lifted_by, entry.lift_reason = timezone.now(), actor, reason
    entry.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(
        member=member,
        action=AuditAction.BLACKLIST_LIFTED,
        actor=actor,
        reason=reason,
        data={"entry": entry.pk},
    )
    member_tier_refresh(member=member, actor=actor)
    return entry


@transaction.atomic
def quota_exception_grant(
    *,
    member: Member,
    actor: User,
    scope: str,
    reason: str,
    valid_from: datetime,
    valid_until: datetime,
    car_model: CarModel | None = None,
) -> QuotaException:
    """Waive one quota rule for the member during [valid_from, valid_until)."""
    exception = QuotaException.objects.create(
        member=member,
        scope=scope,
        car_model=car_model,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=audit_reason_checked(reason),
        granted_by=actor,
    )
    audit_record(
        member=member,
        action=AuditAction.QUOTA_EXCEPTION_GRANTED,
        actor=actor,
        reason=exception.reason,
        data={
            "exception": exception.pk,
            "scope": scope,
            "car_model": car_model.pk if car_model else None,
            "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(),
        },
    )
    return exception


@transaction.atomic
def quota_exception_revoke(*, exception: QuotaException, actor: User, reason: str) -> QuotaException:
    reason = audit_reason_checked(reason)
    claimed = QuotaException.objects.filter(pk=exception.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor, revoke_reason=reason
    )
    exception.refresh_from_db()
    if claimed:
        audit_record(
            member=exception.member,
            action=AuditAction.QUOTA_EXCEPTION_REVOKED,
            actor=actor,
            reason=reason,
            data={"exception": exception.pk},
        )
    return exception


@transaction.atomic
def recorded_drive_add(
    *,
    member: Member,
    actor: User,
    car_model: CarModel,
    outcome: str,
    counted_at: datetime,
    returned_at: datetime | None = None,
    note: str = "",
) -> RecordedDrive:
    """Record a drive taken outside this system, so the quotas count it."""
    drive = RecordedDrive.objects.create(
        member=member,
        car_model=car_model,
        outcome=DriveOutcome(outcome),
        counted_at=counted_at,
        returned_at=returned_at,
        note=note,
        recorded_by=actor,
    )
    audit_record(
        member=member,
        action=AuditAction.DRIVE_RECORDED,
        actor=actor,
        reason=note,
        data={"drive": drive.pk, "car_model": car_model.pk, "outcome": outcome},
    )
    return drive
