"""The blacklist: staff only, with a reason, one open entry, every change audited."""

import pytest
from django.db import IntegrityError, transaction

from members.errors import AlreadyBlacklisted, NotBlacklisted, ReasonRequired
from members.models import AuditAction, BlacklistEntry, Member
from members.services import member_blacklist, member_blacklist_lift

pytestmark = pytest.mark.django_db


def test_it_records_who_blacklisted_when_and_why(member: Member, staff) -> None:
    entry = member_blacklist(member=member, actor=staff, reason="returned the car with damage")

    assert (entry.created_by, entry.reason, entry.is_open) == (staff, "returned the car with damage", True)
    event = member.audit_events.get(action=AuditAction.BLACKLISTED)
    assert (event.actor, event.actor_name, event.reason) == (staff, "desk", "returned the car with damage")


def test_it_needs_a_reason(member: Member, staff) -> None:
    with pytest.raises(ReasonRequired):
        member_blacklist(member=member, actor=staff, reason="   ")
    assert not BlacklistEntry.objects.exists()


def test_a_member_is_blacklisted_once_at_a_time(member: Member, staff) -> None:
    member_blacklist(member=member, actor=staff, reason="first")

    with pytest.raises(AlreadyBlacklisted):
        member_blacklist(member=member, actor=staff, reason="second")


def test_the_database_allows_one_open_entry_per_member(member: Member, staff) -> None:
    BlacklistEntry.objects.create(member=member, reason="a", created_by=staff)

    with pytest.raises(IntegrityError), transaction.atomic():
        BlacklistEntry.objects.create(member=member, reason="b", created_by=staff)


def test_lifting_needs_a_reason_and_keeps_the_history(member: Member, staff) -> None:
    member_blacklist(member=member, actor=staff, reason="unpaid fee")

    with pytest.raises(ReasonRequired):
        member_blacklist_lift(member=member, actor=staff, reason="")
    entry = member_blacklist_lift(member=member, actor=staff, reason="fee paid")
    member_blacklist(member=member, actor=staff, reason="again")

    assert (entry.lifted_by, entry.lift_reason) == (staff, "fee paid")
    assert member.blacklist_entries.count() == 2
    assert list(member.audit_events.order_by("id").values_list("action", flat=True)).count("blacklisted") == 2


def test_lifting_a_member_who_is_not_blacklisted_is_refused(member: Member, staff) -> None:
    with pytest.raises(NotBlacklisted):
        member_blacklist_lift(member=member, actor=staff, reason="?")


def test_a_lift_without_who_or_why_is_refused_by_the_database(member: Member, staff) -> None:
    entry = BlacklistEntry.objects.create(member=member, reason="a", created_by=staff)

    from django.utils import timezone

    entry.lifted_at = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        entry.save()
