from django.core.management.base import BaseCommand

from members.services.keys import member_secrets_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every member's ID and licence numbers under the first MEMBERS_ENCRYPTION_KEYS key "
        "and re-hash ID numbers under MEMBERS_ID_HASH_KEY. Run after putting a new key first; "
        "remove an old key only after this has run. Safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        count = member_secrets_rotate()
        self.stdout.write(f"re-encrypted and re-hashed {count} members")
