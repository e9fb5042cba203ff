"""Invariants under concurrency, on PostgreSQL: the database decides, not the Python check."""

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from members.demo import demo_id_number
from members.models import AuditAction, BlacklistEntry, Member
from members.services import member_anonymise, member_blacklist, member_register
from tests.factories import MemberFactory, StaffFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BORN = date(1988, 8, 8)


def race(count: int, target) -> list[object]:
    """Run target(i) in ``count`` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_sign_ups_with_one_id_number_make_one_account() -> None:
    number = demo_id_number(BORN, 9)

    results = race(
        20,
        lambda i: member_register(
            email=f"racer{i}@example.com",
            mobile=f"+861370000{i:04d}",
            password="a-long-test-password-1",
            full_name=f"Racer {i}",
            id_number=number,
            date_of_birth=BORN,
            licence_number=f"DL{i:08d}",
            licence_expires_on=date(2032, 1, 1),
        ),
    )

    assert sum(isinstance(r, Member) for r in results) == 1
    losers = [r for r in results if not isinstance(r, Member)]
    # Each loser gets the friendly field error, whether the check or the constraint caught it.
    assert all(isinstance(r, ValidationError) and "id_number" in r.message_dict for r in losers), losers
    assert Member.objects.count() == 1


def test_two_staff_blacklisting_at_once_make_one_entry() -> None:
    member = MemberFactory()
    staff = [StaffFactory(), StaffFactory()]

    results = race(2, lambda i: member_blacklist(member=member, actor=staff[i], reason=f"reason {i}"))

    assert sorted(type(r).__name__ for r in results) == ["AlreadyBlacklisted", "BlacklistEntry"], results
    assert BlacklistEntry.objects.filter(member=member, lifted_at__isnull=True).count() == 1


def test_two_deletions_at_once_anonymise_once() -> None:
    member = MemberFactory()

    results = race(2, lambda i: member_anonymise(member=member, actor=member.user))

    # The second waits for the first one's row lock, then finds the account already anonymised.
    assert all(isinstance(r, Member) for r in results), results
    assert member.audit_events.filter(action=AuditAction.ANONYMISED).count() == 1
