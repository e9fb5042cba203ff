"""Deleting an account: anonymise what can go, keep what the law and open bookings need."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken

from biometrics.models import FaceTemplate
from biometrics.selectors import biometric_consent_given
from biometrics.services import consent_give
from members.errors import MemberDeletionRefused
from members.models import AuditAction, CreditReport, Member, RecordedDrive
from members.services import member_anonymise, member_blacklist, recorded_drive_add
from tests.factories import CarModelFactory, CreditReportFactory

pytestmark = pytest.mark.django_db


def test_it_removes_personal_data_and_disables_the_login(member: Member, staff) -> None:
    CreditReportFactory(member=member)
    AuthToken.objects.create(user=member.user)
    past = timezone.now() - timedelta(days=100)
    recorded_drive_add(
        member=member,
        actor=staff,
        car_model=CarModelFactory(),
        outcome="driven",
        counted_at=past,
        returned_at=past + timedelta(days=3),
    )

    member_anonymise(member=member, actor=member.user)

    member.refresh_from_db()
    user = member.user
    assert member.full_name == f"Deleted member {member.pk}"
    assert member.mobile == f"deleted-{member.pk}"
    assert member.date_of_birth is None
    assert member.licence_expires_on is None
    assert member.id_number_hash is None
    assert member.id_number_encrypted == member.licence_number_encrypted == ""
    assert member.anonymised_at is not None
    assert not CreditReport.objects.filter(member=member).exists()
    assert not AuthToken.objects.filter(user=user).exists()
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email.endswith("@deleted.invalid")
    assert not user.check_password("pw-for-tests-1")
    # Kept: the drive history and the audit trail.
    assert RecordedDrive.objects.filter(member=member).count() == 1
    assert member.audit_events.filter(action=AuditAction.ANONYMISED).exists()


def test_face_consent_and_template_go_with_the_account(member: Member) -> None:
    consent_give(member=member, language="en")
    FaceTemplate.objects.create(member=member, model="Dlib", vector_encrypted=b"not read here")

    member_anonymise(member=member, actor=member.user)

    assert not biometric_consent_given(member=member)
    assert not FaceTemplate.objects.filter(member=member).exists()


def test_it_is_refused_while_a_drive_is_under_way(member: Member, staff) -> None:
    recorded_drive_add(
        member=member, actor=staff, car_model=CarModelFactory(), outcome="driven", counted_at=timezone.now()
    )

    with pytest.raises(MemberDeletionRefused):
        member_anonymise(member=member, actor=member.user)
    member.refresh_from_db()
    assert member.anonymised_at is None


def test_a_blacklisted_person_keeps_only_the_id_hash_so_they_cannot_sign_up_again(
    member: Member, staff
) -> None:
    id_hash = member.id_number_hash
    member_blacklist(member=member, actor=staff, reason="fraud")

    member_anonymise(member=member, actor=member.user)

    member.refresh_from_db()
    assert member.id_number_hash == id_hash
    assert member.id_number_encrypted == ""


def test_the_same_person_may_sign_up_again_after_deleting(member: Member) -> None:
    from members.selectors import member_id_number
    from members.services import member_register

    number, born = member_id_number(member=member), member.date_of_birth
    member_anonymise(member=member, actor=member.user)

    again = member_register(
        email="li@example.com",
        mobile="+8613800009999",
        password="a-long-test-password-1",
        full_name="Li Again",
        id_number=number,
        date_of_birth=born,
        licence_number="DL99887766",
        licence_expires_on=timezone.localdate() + timedelta(days=900),
    )

    assert again.pk != member.pk


def test_anonymising_twice_changes_nothing(member: Member) -> None:
    member_anonymise(member=member, actor=member.user)
    member_anonymise(member=member, actor=member.user)

    assert member.audit_events.filter(action=AuditAction.ANONYMISED).count() == 1
