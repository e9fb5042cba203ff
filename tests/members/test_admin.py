"""The members back office: lists with filters, search by ID number, audited staff actions."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from members.models import AuditAction, BlacklistEntry, Member, QuotaException, RecordedDrive
from members.selectors import member_id_number
from members.services import member_blacklist
from tests.factories import CarModelFactory, CreditReportFactory, MemberFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:members_member_changelist")


@pytest.fixture
def desk(client: Client, staff) -> Client:
    client.force_login(staff)
    return client


def change_url(member: Member) -> str:
    return reverse("admin:members_member_change", args=[member.pk])


def test_the_member_list_filters_by_tier_band_and_blacklist(desk: Client, staff) -> None:
    good, poor, barred = MemberFactory.create_batch(3)
    CreditReportFactory(member=good, score=760)
    CreditReportFactory(member=poor, score=420)
    member_blacklist(member=barred, actor=staff, reason="test")

    def listed(**params: str) -> set[int]:
        return {m.pk for m in desk.get(CHANGELIST, params).context["cl"].result_list}

    assert listed(band="excellent") == {good.pk}
    assert listed(band="poor") == {poor.pk}
    assert listed(band="none") == {barred.pk}
    assert listed(blacklisted="yes") == {barred.pk}
    assert listed(tier="standard") == {good.pk, poor.pk, barred.pk}  # stored tier: no refresh yet


def test_the_member_list_runs_a_fixed_number_of_queries(desk: Client) -> None:
    for member in MemberFactory.create_batch(3):
        CreditReportFactory(member=member)
    with CaptureQueriesContext(connection) as few:
        desk.get(CHANGELIST)
    for member in MemberFactory.create_batch(10):
        CreditReportFactory(member=member)
    with CaptureQueriesContext(connection) as many:
        desk.get(CHANGELIST)

    assert len(few) == len(many)


def test_staff_find_a_member_by_full_id_number(desk: Client) -> None:
    wanted, _other = MemberFactory.create_batch(2)

    result = desk.get(CHANGELIST, {"q": member_id_number(member=wanted)}).context["cl"].result_list

    assert [m.pk for m in result] == [wanted.pk]


def test_the_change_page_shows_reports_and_audit_history(desk: Client, member: Member, staff) -> None:
    CreditReportFactory(member=member, score=733)
    member_blacklist(member=member, actor=staff, reason="scratched the door")

    page = desk.get(change_url(member)).content.decode()

    assert "733" in page
    assert "scratched the door" in page
    assert "desk" in page  # who blacklisted
    assert member_id_number(member=member) not in page


def test_staff_blacklist_and_lift_with_a_reason(desk: Client, member: Member, staff) -> None:
    url = reverse("admin:members_member_blacklist", args=[member.pk])
    assert desk.post(url, {"reason": ""}).status_code == 200  # the form asks for a reason
    assert desk.post(url, {"reason": "unpaid fee"}).status_code == 302
    again = desk.post(url, {"reason": "twice"})
    desk.post(reverse("admin:members_member_lift_blacklist", args=[member.pk]), {"reason": "paid"})

    assert "already blacklisted" in again.content.decode()
    entry = BlacklistEntry.objects.get(member=member)
    assert (entry.created_by, entry.lifted_by, entry.lift_reason) == (staff, staff, "paid")


def test_staff_set_a_score_override(desk: Client, member: Member) -> None:
    desk.post(
        reverse("admin:members_member_score_override", args=[member.pk]), {"score": "777", "reason": "demo"}
    )

    member.refresh_from_db()
    assert member.sandbox_score_override == 777
    assert member.audit_events.filter(action=AuditAction.SCORE_OVERRIDE_SET).exists()


def test_staff_grant_and_revoke_a_quota_exception(desk: Client, member: Member) -> None:
    now = timezone.now()
    desk.post(
        reverse("admin:members_member_quota_exception", args=[member.pk]),
        {
            "scope": "rolling_limit",
            "valid_from": now.strftime("%Y-%m-%d %H:%M"),
            "valid_until": (now + timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
            "reason": "fleet recall cut five drives short",
        },
    )
    exception = QuotaException.objects.get(member=member)
    desk.post(
        reverse("admin:members_member_revoke_exception", args=[member.pk, exception.pk]),
        {"reason": "recall over"},
    )

    exception.refresh_from_db()
    assert exception.revoke_reason == "recall over"
    assert exception.revoked_by is not None


def test_staff_record_a_drive_from_before_the_system(desk: Client, member: Member) -> None:
    car = CarModelFactory()
    desk.post(
        reverse("admin:members_member_record_drive", args=[member.pk]),
        {"car_model": car.pk, "outcome": "no_show", "counted_at": "2026-01-02 10:00", "note": "paper log"},
    )

    assert RecordedDrive.objects.get(member=member).outcome == "no_show"


def test_staff_edits_of_identity_are_audited(desk: Client, member: Member) -> None:
    page = desk.get(change_url(member))
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(full_name="Li Wei (corrected)")
    for prefix in (
        "credit_reports",
        "blacklist_entries",
        "quota_exceptions",
        "recorded_drives",
        "audit_events",
    ):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = desk.post(change_url(member), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event = member.audit_events.get(action=AuditAction.PROFILE_CORRECTED)
    assert event.data["fields"] == ["full_name"]


def test_members_cannot_be_deleted_from_the_admin(desk: Client, member: Member) -> None:
    assert desk.get(reverse("admin:members_member_delete", args=[member.pk])).status_code == 403
