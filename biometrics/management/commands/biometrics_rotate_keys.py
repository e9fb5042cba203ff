from django.core.management.base import BaseCommand

from biometrics.services.keys import face_templates_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every face template under the first BIOMETRICS_TEMPLATE_KEYS key. Run after putting "
        "a new key first; remove an old key only after this has run. Safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"re-encrypted {face_templates_rotate()} face templates")
