"""Index every catalogue photo for snap-a-car and fit the classifier (idempotent)."""

from django.core.management.base import BaseCommand, CommandParser

from snapcar.services import snapcar_reindex_all


class Command(BaseCommand):
    help = "Embed every CarPhoto not yet indexed (all of them with --force), then fit the classifier."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Index photos again even if unchanged.")

    def handle(self, *args: object, force: bool = False, **options: object) -> None:
        indexed, failed = snapcar_reindex_all(force=force)
        self.stdout.write(f"Indexed {indexed} photo(s); {failed} could not be read.")
