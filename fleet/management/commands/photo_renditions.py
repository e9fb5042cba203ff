from typing import Any

from django.core.management.base import BaseCommand

from fleet.photos import carphoto_list_without_renditions, carphoto_renditions_make


class Command(BaseCommand):
    help = (
        "Make the smaller copies of every catalogue photo that has none yet, here and now (after a "
        "deploy; uploads get theirs from the queue, and an hourly sweep catches what it lost)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = skipped = 0
        for photo_id in carphoto_list_without_renditions().values_list("pk", flat=True).iterator():
            if carphoto_renditions_make(photo_id=photo_id):
                made += 1
            else:
                skipped += 1
        self.stdout.write(f"{made} photos prepared, {skipped} unreadable or changed meanwhile")
