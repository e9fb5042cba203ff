from django.core.management.base import BaseCommand

from ops.demo import demo_load_ops


class Command(BaseCommand):
    help = "Create the demo operator, manager and auditor (on duty all day). Safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        result = demo_load_ops()
        self.stdout.write(
            f"demo operations room: {result['users']} users added, {result['scenes']} console scenes added "
            "(a return awaiting review, a purchase order in progress)"
        )
