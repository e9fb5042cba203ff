"""The member page in the admin reads each inline's related rows with it: the number of queries
does not grow with the member's history."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import BlacklistEntry, CreditReport, RecordedDrive
from tests.factories import CarModelFactory, CreditReportFactory, MemberFactory, StaffFactory


def add_history(member, staff, n: int) -> None:
    for _ in range(n):
        CreditReportFactory(member=member, requested_by=staff)
        RecordedDrive.objects.create(
            member=member,
            car_model=CarModelFactory(),
            outcome="no_show",
            counted_at=timezone.now(),
            recorded_by=staff,
        )
        BlacklistEntry.objects.create(
            member=member,
            reason="test",
            created_by=staff,
            lifted_at=timezone.now(),
            lifted_by=staff,
            lift_reason="ok",
        )


def page_queries(client, member) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/admin/members/member/{member.pk}/change/").status_code == 200
    return len(queries)


def test_the_member_page_runs_the_same_queries_for_a_short_and_a_long_history(client, db):
    staff = StaffFactory()
    client.force_login(staff)
    short, long_ = MemberFactory(), MemberFactory()
    add_history(short, staff, 1)
    add_history(long_, StaffFactory(username="other-desk"), 6)

    # Warm the per-process caches (content types, permissions) on both pages first: which of them
    # a page fills depends on what it shows, and what earlier tests left in them.
    page_queries(client, short)
    page_queries(client, long_)
    assert page_queries(client, long_) == page_queries(client, short)
    assert CreditReport.objects.filter(member=long_).count() == 6
