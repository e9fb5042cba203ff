"""Sign-up: identity checked, one account per person, ID numbers never stored in clear."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from members.demo import demo_id_number
from members.identity import secret_decrypt, secret_hash
from members.models import AuditAction, Member, Tier
from members.services import member_register

pytestmark = pytest.mark.django_db
BORN = date(1992, 3, 4)


def signup(**overrides: object) -> Member:
    data = {
        "email": "Wang.Fang@Example.com",
        "mobile": "139 1234 5678",
        "password": "a-long-test-password-1",
        "full_name": "  Wang   Fang ",
        "id_number": demo_id_number(BORN, 17),
        "date_of_birth": BORN,
        "licence_number": "dl 3101 0119 92",
        "licence_expires_on": date(2031, 1, 1),
        "preferred_language": "en",
    }
    return member_register(**{**data, **overrides})


def test_it_creates_a_member_with_normalised_contact_details() -> None:
    member = signup()

    assert member.user.username == member.user.email == "wang.fang@example.com"
    assert member.mobile == "+8613912345678"
    assert member.full_name == "Wang Fang"
    assert member.tier == Tier.STANDARD
    assert member.audit_events.filter(action=AuditAction.REGISTERED).exists()


def test_it_never_stores_the_id_number_in_clear() -> None:
    number = demo_id_number(BORN, 17)
    member = signup()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM members_member WHERE id = %s", [member.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert number not in row
    assert number[:-4] not in row
    assert member.id_number_hash == secret_hash(number)
    assert secret_decrypt(member.id_number_encrypted) == number
    assert member.id_number_last4 == number[-4:]


def test_it_refuses_a_second_account_for_the_same_id_number() -> None:
    signup()

    with pytest.raises(ValidationError) as refused:
        signup(email="other@example.com", mobile="13700000000", id_number=demo_id_number(BORN, 17).lower())

    assert "id_number" in refused.value.message_dict


def test_it_refuses_a_taken_email_whatever_its_case() -> None:
    signup()

    with pytest.raises(ValidationError) as refused:
        signup(email="WANG.FANG@example.com", mobile="13700000000", id_number=demo_id_number(BORN, 18))

    assert "email" in refused.value.message_dict


def test_it_refuses_a_taken_mobile_in_another_spelling() -> None:
    signup()

    with pytest.raises(ValidationError) as refused:
        signup(email="x@example.com", mobile="+86 139-1234-5678", id_number=demo_id_number(BORN, 18))

    assert "mobile" in refused.value.message_dict


def test_the_database_refuses_a_duplicate_id_hash_even_without_the_check() -> None:
    from django.db import IntegrityError, transaction

    from tests.factories import MemberFactory

    first = MemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(id_number_hash=first.id_number_hash)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id_number", "31010119920304001"),  # 17 characters
        ("id_number", demo_id_number(BORN, 17)[:-1] + ("0" if demo_id_number(BORN, 17)[-1] != "0" else "1")),
        ("date_of_birth", date(1992, 3, 5)),  # not the date inside the ID number
        ("mobile", "12345"),
        ("email", "not-an-email"),
        ("password", "123"),
        ("licence_number", "x"),
        ("full_name", "   "),
    ],
)
def test_it_says_which_field_is_wrong(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as refused:
        signup(**{field: value})

    assert field in refused.value.message_dict
    assert not Member.objects.exists()
