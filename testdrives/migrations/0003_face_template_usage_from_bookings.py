"""Fill biometrics' new template fields from the bookings, once: testdrives tells biometrics from
now on (``face_template_used``), so retention no longer reads test drives."""

from django.db import migrations
from django.db.models import Max

ACTIVE = [
    "scheduled",
    "checked_in",
    "verifying",
    "verified",
    "dispatching",
    "ready",
    "locked",
    "dispatch_failed",
    "on_drive",
    "overdue",
]


def forwards(apps, schema_editor):
    FaceTemplate = apps.get_model("biometrics", "FaceTemplate")
    TestDrive = apps.get_model("testdrives", "TestDrive")
    for template in FaceTemplate.objects.all().only("pk", "member_id"):
        drives = TestDrive.objects.filter(member_id=template.member_id)
        FaceTemplate.objects.filter(pk=template.pk).update(
            in_use=drives.filter(state__in=ACTIVE).exists(),
            last_used_at=drives.aggregate(last=Max("finished_at"))["last"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("testdrives", "0002_notification_kind_abandoned"),
        ("biometrics", "0003_face_template_usage"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
