"""Credit checks: the report, its expiry, the tier, and failures that change nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from members.credit.sandbox import sandbox_score
from members.errors import CreditBureauUnavailable, CreditCheckTooSoon, CreditFileNotFound
from members.models import AuditAction, CreditReport, Member, Tier
from members.selectors import member_id_number
from members.services import member_credit_check, member_set_score_override
from tests.factories import MemberFactory
from tests.members.conftest import FakeBureau

pytestmark = pytest.mark.django_db


def test_the_sandbox_score_is_deterministic_and_on_the_scale(member: Member, settings) -> None:
    report = member_credit_check(member=member, requested_by=member.user)

    expected = sandbox_score(id_number=member_id_number(member=member), seed=settings.CREDIT_SANDBOX_SEED)
    assert report.score == expected
    assert 350 <= report.score <= 950
    assert report.provider == "sandbox"
    assert report.expires_at - report.fetched_at == timedelta(days=30)


def test_different_people_get_different_sandbox_scores(settings) -> None:
    scores = {sandbox_score(id_number=f"31010119900512{n:04d}", seed="s") for n in range(50)}

    assert len(scores) > 40
    assert min(scores) < 550
    assert max(scores) >= 700


def test_a_staff_override_pins_the_sandbox_score_and_is_audited(member: Member, staff) -> None:
    member_set_score_override(member=member, actor=staff, score=702, reason="support case 42")

    report = member_credit_check(member=member, requested_by=member.user)

    assert report.score == 702
    event = member.audit_events.get(action=AuditAction.SCORE_OVERRIDE_SET)
    assert (event.actor, event.reason, event.data) == (staff, "support case 42", {"from": None, "to": 702})


def test_a_check_derives_the_tier_again(member: Member, staff) -> None:
    member_set_score_override(member=member, actor=staff, score=700, reason="edge")
    member_credit_check(member=member, requested_by=member.user)
    member.refresh_from_db()
    assert member.tier == Tier.SUPER

    member_set_score_override(member=member, actor=staff, score=699, reason="edge")
    member_credit_check(member=member, requested_by=staff, by_staff=True)
    member.refresh_from_db()
    assert member.tier == Tier.STANDARD
    assert member.audit_events.filter(action=AuditAction.TIER_CHANGED).count() == 2


def test_a_member_must_wait_between_checks_but_staff_need_not(member: Member, staff) -> None:
    member_credit_check(member=member, requested_by=member.user)

    with pytest.raises(CreditCheckTooSoon):
        member_credit_check(member=member, requested_by=member.user)
    member_credit_check(member=member, requested_by=staff, by_staff=True)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        member_credit_check(member=member, requested_by=member.user)
    assert CreditReport.objects.filter(member=member).count() == 3


def test_a_bureau_failure_stores_nothing_and_says_try_again_later(
    member: Member, fake_bureau: FakeBureau
) -> None:
    fake_bureau.answer((503, {}, 0))

    with pytest.raises(CreditBureauUnavailable) as refused:
        member_credit_check(member=member, requested_by=member.user)

    assert "try again later" in str(refused.value.message)
    assert not CreditReport.objects.filter(member=member).exists()
    assert member.audit_events.filter(action=AuditAction.CREDIT_CHECK_FAILED).exists()
    member.refresh_from_db()
    assert member.tier == Tier.STANDARD
    # A failure does not make the member wait: the next try goes straight to the bureau.
    fake_bureau.answer((200, {"score": 800, "reference": "ok"}, 0))
    assert member_credit_check(member=member, requested_by=member.user).score == 800


def test_no_file_at_the_bureau_is_its_own_answer(member: Member, fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((404, {}, 0))

    with pytest.raises(CreditFileNotFound):
        member_credit_check(member=member, requested_by=member.user)


def test_the_http_report_is_stored_with_the_bureau_reference(member: Member, fake_bureau: FakeBureau) -> None:
    fake_bureau.answer((200, {"score": 588, "reference": "bx-77"}, 0))

    report = member_credit_check(member=member, requested_by=member.user)

    assert (report.provider, report.score, report.band, report.reference) == ("http", 588, "fair", "bx-77")
    assert fake_bureau.requests[0]["body"]["id_number"] == member_id_number(member=member)


def test_a_member_without_an_id_number_on_file_is_told_so() -> None:
    from members.errors import CreditCheckNeedsIdentity

    legacy = MemberFactory(id_number_hash=None, id_number_encrypted="", id_number_last4="")

    with pytest.raises(CreditCheckNeedsIdentity):
        member_credit_check(member=legacy, requested_by=legacy.user)


def test_a_check_already_running_is_not_started_twice(member: Member, staff) -> None:
    # Another request claimed the check a moment ago and is waiting for the bureau.
    Member.objects.filter(pk=member.pk).update(credit_check_started_at=timezone.now())

    with pytest.raises(CreditCheckTooSoon):
        member_credit_check(member=member, requested_by=staff, by_staff=True)
    assert not CreditReport.objects.filter(member=member).exists()


def test_a_claim_left_by_a_dead_process_is_taken_over(member: Member) -> None:
    Member.objects.filter(pk=member.pk).update(credit_check_started_at=timezone.now() - timedelta(minutes=10))

    assert member_credit_check(member=member, requested_by=member.user).score >= 350
