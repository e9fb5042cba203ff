"""Key rotation: new encryption key first, re-encrypt, then the old key can go."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from members.identity import secret_hash
from members.models import Member
from members.selectors import member_id_number, member_licence_number
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_it_re_encrypts_under_the_new_key_and_re_hashes(settings) -> None:
    member = MemberFactory()
    number, licence = member_id_number(member=member), member_licence_number(member=member)
    settings.MEMBERS_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.MEMBERS_ENCRYPTION_KEYS]
    settings.MEMBERS_ID_HASH_KEY = "a-new-hash-key"

    out = StringIO()
    call_command("members_rotate_keys", stdout=out)
    settings.MEMBERS_ENCRYPTION_KEYS = settings.MEMBERS_ENCRYPTION_KEYS[:1]

    member = Member.objects.get(pk=member.pk)
    assert member_id_number(member=member) == number
    assert member_licence_number(member=member) == licence
    assert member.id_number_hash == secret_hash(number)
    assert "1 members" in out.getvalue()
