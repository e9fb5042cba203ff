"""member_eligibility: the one function the booking flow calls, over the database: members' rules
applied to our drive history and to face pickup (optional)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from biometrics.models import FaceTemplate
from biometrics.services import consent_give
from members.models import Member, Tier
from members.services import (
    member_blacklist,
    member_blacklist_lift,
    quota_exception_grant,
    quota_exception_revoke,
    recorded_drive_add,
)
from testdrives.eligibility import member_booking_standing, member_drive_history, member_eligibility
from tests.factories import CarModelFactory, CreditReportFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(db) -> Member:
    return MemberFactory(user__username="li@example.com", user__email="li@example.com")


@pytest.fixture
def consent(member: Member) -> None:
    consent_give(member=member, language="en")


@pytest.fixture
def super_member(member: Member, consent: None) -> Member:
    CreditReportFactory(member=member, score=760)
    # Face pickup set up: consent above, and a template of the model in force (its vector is
    # never read here; an older model's template would not count, see test_face_model_change).
    FaceTemplate.objects.create(
        member=member, model=settings.BIOMETRICS_MODEL, vector_encrypted=b"not read here"
    )
    return member


def codes(eligibility, passed: bool) -> set[str]:
    return {r.code for r in eligibility.rules if r.passed is passed}


def test_a_super_member_with_consent_may_book_without_a_fee(super_member: Member) -> None:
    eligibility = member_eligibility(member=super_member, car_model=CarModelFactory(), at=timezone.now())

    assert eligibility.decision == "allowed"
    assert eligibility.fee_cny == 0
    assert eligibility.tier == Tier.SUPER
    assert codes(eligibility, False) == set()
    assert [r.code for r in eligibility.rules] == [
        "credit_score",
        "driving_licence",
        "age",
        "not_blacklisted",
        "face_pickup",
        "quota_rolling",
        "quota_model_once",
        "quota_one_active",
    ]


def test_every_rule_has_its_reason_in_both_languages(super_member: Member) -> None:
    eligibility = member_eligibility(member=super_member, car_model=CarModelFactory(), at=timezone.now())

    for rule in eligibility.rules:
        both = rule.reason.in_every_language()
        assert both["en"], rule.code
        assert both["zh-hans"], rule.code
        assert both["en"] != both["zh-hans"], rule.code


def test_without_face_consent_good_credit_may_still_book(member: Member) -> None:
    CreditReportFactory(member=member, score=800)

    eligibility = member_eligibility(member=member, car_model=CarModelFactory(), at=timezone.now())

    # Face pickup is optional (issue 12 §6): shown as not set up, never a reason to refuse.
    assert codes(eligibility, False) == {"face_pickup"}
    assert not next(r for r in eligibility.rules if r.code == "face_pickup").required
    assert eligibility.failed == []
    assert eligibility.decision == "allowed"
    assert eligibility.tier == Tier.SUPER


def test_consent_without_a_face_photo_is_still_not_set_up(member: Member, consent: None) -> None:
    CreditReportFactory(member=member, score=800)

    eligibility = member_eligibility(member=member, car_model=CarModelFactory(), at=timezone.now())

    face = next(r for r in eligibility.rules if r.code == "face_pickup")
    assert not face.passed
    assert not face.required
    assert "face photo" in face.reason.render("en")
    assert eligibility.decision == "allowed"


@pytest.mark.parametrize(("msrp", "fee"), [(180_000, 99), (300_000, 198)])
def test_below_the_bar_a_member_may_book_with_the_fee_of_the_cars_class(
    member: Member, consent: None, msrp: int, fee: int
) -> None:
    CreditReportFactory(member=member, score=699)

    eligibility = member_eligibility(
        member=member, car_model=CarModelFactory(msrp_cny=msrp), at=timezone.now()
    )

    assert eligibility.decision == "allowed_with_fee"
    assert eligibility.fee_cny == fee
    assert eligibility.tier == Tier.STANDARD


def test_below_the_bar_a_member_is_refused_when_the_store_turns_fees_off(
    member: Member, consent: None, settings
) -> None:
    settings.MEMBERS_FEES_ALLOWED = False
    CreditReportFactory(member=member, score=699)

    eligibility = member_eligibility(member=member, car_model=CarModelFactory(), at=timezone.now())

    assert eligibility.decision == "refused"
    assert eligibility.fee_cny is None


def test_a_fee_does_not_make_up_for_another_failed_rule(member: Member, consent: None) -> None:
    CreditReportFactory(member=member, score=500)
    member.licence_expires_on = timezone.localdate() + timedelta(days=1)
    member.save()

    eligibility = member_eligibility(member=member, car_model=CarModelFactory(), at=timezone.now())

    assert eligibility.decision == "refused"
    assert {r.code for r in eligibility.failed} == {"credit_score", "driving_licence"}


def test_it_judges_the_newest_report_only(super_member: Member) -> None:
    CreditReportFactory(member=super_member, score=640, fetched_at=timezone.now() + timedelta(seconds=1))

    eligibility = member_eligibility(member=super_member, car_model=CarModelFactory(), at=timezone.now())

    assert not eligibility.rules[0].passed


def test_blacklisting_blocks_new_bookings_at_once_and_lifting_restores_them(
    super_member: Member, staff
) -> None:
    car = CarModelFactory()
    member_blacklist(member=super_member, actor=staff, reason="damaged a car")

    refused = member_eligibility(member=super_member, car_model=car, at=timezone.now())
    member_blacklist_lift(member=super_member, actor=staff, reason="paid for the repair")
    allowed = member_eligibility(member=super_member, car_model=car, at=timezone.now())

    assert refused.decision == "refused"
    assert codes(refused, False) == {"not_blacklisted"}
    assert allowed.decision == "allowed"


def test_quota_uses_the_recorded_history_and_says_when_a_slot_frees(super_member: Member, staff) -> None:
    now = timezone.now()
    for days_ago in (5, 15, 25, 35, 45):
        recorded_drive_add(
            member=super_member,
            actor=staff,
            car_model=CarModelFactory(),
            outcome="driven",
            counted_at=now - timedelta(days=days_ago),
            returned_at=now - timedelta(days=days_ago) + timedelta(hours=70),
        )

    eligibility = member_eligibility(member=super_member, car_model=CarModelFactory(), at=now)

    assert eligibility.decision == "refused"
    assert eligibility.quota.used == 5
    assert eligibility.quota.next_free_at == now + timedelta(days=15)
    assert len(member_drive_history(member=super_member)) == 5


def test_the_same_model_twice_is_refused(super_member: Member, staff) -> None:
    car = CarModelFactory()
    past = timezone.now() - timedelta(days=200)
    recorded_drive_add(
        member=super_member,
        actor=staff,
        car_model=car,
        outcome="driven",
        counted_at=past,
        returned_at=past + timedelta(days=3),
    )

    eligibility = member_eligibility(member=super_member, car_model=car, at=timezone.now())

    assert codes(eligibility, False) == {"quota_model_once"}


def test_a_car_still_out_blocks_a_second_drive(super_member: Member, staff) -> None:
    recorded_drive_add(
        member=super_member,
        actor=staff,
        car_model=CarModelFactory(),
        outcome="driven",
        counted_at=timezone.now() - timedelta(hours=5),
    )

    eligibility = member_eligibility(member=super_member, car_model=CarModelFactory(), at=timezone.now())

    assert codes(eligibility, False) == {"quota_one_active"}


def test_a_staff_exception_waives_a_quota_until_revoked(super_member: Member, staff) -> None:
    car = CarModelFactory()
    now = timezone.now()
    recorded_drive_add(
        member=super_member,
        actor=staff,
        car_model=car,
        outcome="driven",
        counted_at=now - timedelta(days=90),
        returned_at=now - timedelta(days=87),
    )
    exception = quota_exception_grant(
        member=super_member,
        actor=staff,
        scope="model_once",
        car_model=car,
        reason="the first drive was cut short by a fault",
        valid_from=now - timedelta(minutes=1),
        valid_until=now + timedelta(days=7),
    )

    waived = member_eligibility(member=super_member, car_model=car, at=now)
    quota_exception_revoke(exception=exception, actor=staff, reason="granted by mistake")
    revoked = member_eligibility(member=super_member, car_model=car, at=now)

    assert waived.decision == "allowed"
    assert next(r for r in waived.rules if r.code == "quota_model_once").waived_by == exception.pk
    assert revoked.decision == "refused"
    assert (
        super_member.audit_events.filter(
            action__in=["quota_exception_granted", "quota_exception_revoked"]
        ).count()
        == 2
    )


def test_it_runs_a_fixed_number_of_queries(super_member: Member, staff) -> None:
    car = CarModelFactory()
    with CaptureQueriesContext(connection) as few:
        member_eligibility(member=super_member, car_model=car, at=timezone.now())
    for _ in range(5):
        recorded_drive_add(
            member=super_member,
            actor=staff,
            car_model=CarModelFactory(),
            outcome="no_show",
            counted_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as many:
        member_eligibility(member=super_member, car_model=car, at=timezone.now())

    # Report, blacklist, bookings, recorded drives, exceptions, consent, face template.
    assert len(few) == len(many) == 7


def test_the_standing_leaves_out_the_model_rule(super_member: Member) -> None:
    standing = member_booking_standing(member=super_member, at=timezone.now())

    assert "quota_model_once" not in {r.code for r in standing.rules}
    assert standing.quota.used == 0
