from django.db import transaction

from members.identity import secret_decrypt, secret_hash, secret_rotate
from members.models import Member


def member_secrets_rotate() -> int:
    """Re-encrypt under the current key and re-hash under the current hash key; returns the count.

    One member per transaction with a row lock, so a long run never blocks sign-ups for long.
    The ID hash an anonymised, blacklisted member keeps cannot be re-hashed (its clear value is
    gone): after a hash-key change that person could sign up again.
    """
    ids = Member.objects.exclude(id_number_encrypted="", licence_number_encrypted="").values_list(
        "pk", flat=True
    )
    count = 0
    for pk in ids.iterator():
        count += 1
        with transaction.atomic():
            member = Member.objects.select_for_update().get(pk=pk)
            if member.id_number_encrypted:
                member.id_number_hash = secret_hash(secret_decrypt(member.id_number_encrypted))
                member.id_number_encrypted = secret_rotate(member.id_number_encrypted)
            if member.licence_number_encrypted:
                member.licence_number_encrypted = secret_rotate(member.licence_number_encrypted)
            member.save(update_fields=["id_number_hash", "id_number_encrypted", "licence_number_encrypted"])
    return count
