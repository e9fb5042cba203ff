"""When the face check cannot be used at a kiosk with no one on site, the remote operator is
alerted (``staff_alert``, the store's alert channel) to check the customer's driving licence and
ID card: no template, one made by an older model, the camera broken."""

from django.core.cache import cache
from django.db import transaction

from testdrives.models import TestDrive
from testdrives.notify import staff_alert

# One alert per booking and reason in this period, however often the kiosk page asks.
ALERT_EVERY_SECONDS = 10 * 60


def face_pickup_operator_call(*, test_drive: TestDrive, reason: str) -> bool:
    """Alert the remote operator that this customer needs the ID check; False when an alert for
    the same booking and reason went out within ALERT_EVERY_SECONDS."""
    if not cache.add(f"operator-call:{test_drive.pk}:{reason}", 1, timeout=ALERT_EVERY_SECONDS):
        return False
    with transaction.atomic():
        staff_alert(test_drive=test_drive, what=f"ID check needed at the kiosk ({reason})")
    return True
