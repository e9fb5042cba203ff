"""Key rotation for face templates."""

from django.db import transaction

from biometrics.crypto import template_rotate
from biometrics.models import FaceTemplate


def face_templates_rotate() -> int:
    """Re-encrypt every template under the first ``BIOMETRICS_TEMPLATE_KEYS`` key. Idempotent.

    Put a new key first, run this, then remove the old key: templates it encrypted would
    otherwise become unreadable, and their members would have to enrol again.
    """
    count = 0
    for pk in FaceTemplate.objects.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            template = FaceTemplate.objects.select_for_update().filter(pk=pk).first()
            if template is None:
                continue  # deleted meanwhile (retention, withdrawal)
            template.vector_encrypted = template_rotate(template.vector_encrypted)
            template.save(update_fields=["vector_encrypted"])
            count += 1
    return count
