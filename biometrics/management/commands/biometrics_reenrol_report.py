"""``manage.py biometrics_reenrol_report``: how many members must take a new face photo.

Templates made by another model than ``BIOMETRICS_MODEL`` are never compared and cannot be
recomputed (enrolment photos are deleted); their members are asked on their next visit.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Count

from biometrics.selectors import face_templates_outdated


class Command(BaseCommand):
    help = "Count the members whose face template was made by an older model and must re-enrol."

    def handle(self, *args: Any, **options: Any) -> None:
        by_model = (
            face_templates_outdated().values("model").annotate(members=Count("member")).order_by("model")
        )
        total = sum(row["members"] for row in by_model)
        self.stdout.write(f"{total} members must re-enrol for {settings.BIOMETRICS_MODEL}")
        for row in by_model:
            self.stdout.write(f"  {row['model']}: {row['members']}")
