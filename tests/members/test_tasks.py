"""The monthly tier re-evaluation: scheduled by beat, thin, idempotent."""

from datetime import timedelta

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from members.models import Member, Tier
from members.services import member_anonymise, member_tier_refresh
from members.tasks import member_reevaluate_tier_batch, members_reevaluate_tiers
from tests.factories import CreditReportFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_beat_runs_it_monthly() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["members-reevaluate-tiers"]

    assert entry["task"] == "members.tasks.members_reevaluate_tiers"
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].day_of_month == {1}


def test_a_super_member_whose_report_expired_drops_to_member() -> None:
    member = MemberFactory()
    CreditReportFactory(member=member, score=800)
    member_tier_refresh(member=member)
    assert member.tier == Tier.SUPER

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        member_reevaluate_tier_batch([member.pk])

    member.refresh_from_db()
    assert member.tier == Tier.STANDARD


def test_running_it_twice_changes_nothing_more() -> None:
    member = MemberFactory()
    CreditReportFactory(member=member, score=800)

    member_reevaluate_tier_batch([member.pk])
    member_reevaluate_tier_batch([member.pk])

    assert member.audit_events.filter(action="tier_changed").count() == 1


def test_the_monthly_task_re_evaluates_every_member_but_the_anonymised_in_batches(
    eager_tasks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("members.tasks.BATCH_SIZE", 2)
    members = MemberFactory.create_batch(4)
    gone = MemberFactory()
    member_anonymise(member=gone, actor=gone.user)

    # Four members make two batches; the anonymised one, queued too, would make a third.
    assert members_reevaluate_tiers() == 2
    evaluated = Member.objects.filter(tier_evaluated_at__isnull=False).values_list("pk", flat=True)
    assert sorted(evaluated) == sorted(m.pk for m in members)


def test_a_batch_skips_members_that_no_longer_exist_or_are_anonymised() -> None:
    gone = MemberFactory()
    member_anonymise(member=gone, actor=gone.user)
    evaluated_before = Member.objects.get(pk=gone.pk).tier_evaluated_at

    assert member_reevaluate_tier_batch([987654, gone.pk]) == 0
    assert Member.objects.get(pk=gone.pk).tier_evaluated_at == evaluated_before


def test_a_batch_derives_the_same_tiers_as_one_member_at_a_time() -> None:
    members = MemberFactory.create_batch(4)
    CreditReportFactory(member=members[0], score=800)
    CreditReportFactory(member=members[1], score=800)
    CreditReportFactory(member=members[1], score=500, fetched_at=timezone.now() + timedelta(minutes=1))
    CreditReportFactory(member=members[2], score=620)
    one_by_one = {m.pk: member_tier_refresh(member=m) for m in members}
    Member.objects.update(tier=Tier.STANDARD, tier_evaluated_at=None)

    member_reevaluate_tier_batch([m.pk for m in members])

    assert dict(Member.objects.values_list("pk", "tier")) == one_by_one
    assert one_by_one[members[0].pk] == Tier.SUPER
    assert one_by_one[members[1].pk] == Tier.STANDARD  # the newest report counts


def test_a_batch_audits_each_tier_it_changes_once() -> None:
    member = MemberFactory()
    CreditReportFactory(member=member, score=800)

    member_reevaluate_tier_batch([member.pk])

    event = member.audit_events.get(action="tier_changed")
    assert event.data == {"from": Tier.STANDARD, "to": Tier.SUPER}
    assert event.actor is None


def test_a_batch_runs_the_same_queries_for_5_or_50_members() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as queries:
            member_reevaluate_tier_batch(ids)
        return len(queries)

    few = [CreditReportFactory(member=MemberFactory(), score=800).member_id for _ in range(5)]
    many = [CreditReportFactory(member=MemberFactory(), score=800).member_id for _ in range(50)]

    assert queries_for(many) == queries_for(few)
